"""No plaintext note in the database; keys rotate without losing a value."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from typer.testing import CliRunner

from openipt.cli import app
from openipt.core import crypto
from openipt.privacy import services
from openipt.privacy.encryption import (
    SENSITIVE_TEXT_FIELDS,
    encrypted_columns,
    sensitive_field_status,
    stale_values,
)
from openipt.privacy.models import Consent, Disclosure, PsychotherapyNote

runner = CliRunner()
MARKER = "Zebra-crossing-8821 grief about father"


def _raw_bytes() -> bytes:
    """Return the SQLite database file and its write-ahead log as stored on disk."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(FULL)")
    path = Path(connection.settings_dict["NAME"])
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_plaintext_note_in_the_database(cast, course):
    services.add_note(cast.therapist, course, MARKER)
    # Control: the same words in a field that is not encrypted are found, so the search works.
    course.client.name = "Control " + MARKER[:20]
    course.client.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM privacy_psychotherapynote")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert MARKER not in repr(rows)
    if connection.vendor == "sqlite":
        raw = _raw_bytes()
        assert MARKER[:20].encode() in raw
        assert MARKER.encode() not in raw
        assert b"grief about father" not in raw
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT t::text FROM privacy_psychotherapynote t")
            assert "grief" not in cursor.fetchone()[0]
    assert PsychotherapyNote.objects.get().text == MARKER


def _fill(cast, course, count: int) -> dict[str, list[str]]:
    texts = {"notes": [], "consents": []}
    for i in range(count):
        texts["notes"].append(f"note {i} ✓ café")
        services.add_note(cast.therapist, course, texts["notes"][-1])
        texts["consents"].append(f"consent note {i}")
        services.record_consent(
            cast.therapist,
            cast.client,
            topic="treatment",
            given_on=course.started_on,
            note=texts["consents"][-1],
        )
    services.record_disclosure(
        cast.therapist,
        cast.client,
        notes=PsychotherapyNote.objects.all()[:2],
        recipient="Dr Who",
        purpose="second opinion",
        authorised_by="the client",
        authorised_on=course.started_on,
    )
    return texts


def _read_back() -> dict[str, list[str]]:
    return {
        "notes": sorted(n.text for n in PsychotherapyNote.objects.all()),
        "consents": sorted(c.note for c in Consent.objects.all()),
        "purposes": [d.purpose for d in Disclosure.objects.all()],
    }


def _tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM privacy_psychotherapynote ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_it_rotates_keys_without_losing_a_value(cast, course, field_keys):
    texts = _fill(cast, course, 7)
    before, tokens = _read_back(), _tokens()
    old_keys = crypto.load_keys()
    result = runner.invoke(app, ["keys", "rotate", "--batch", "3"])
    assert result.exit_code == 0, result.output
    assert "privacy.PsychotherapyNote.text: 7 re-encrypted" in result.output
    keys = crypto.load_keys()
    assert len(keys) == 2 and keys[1:] == old_keys
    assert _read_back() == before
    assert sorted(texts["notes"]) == before["notes"]
    assert all(new != old for new, old in zip(_tokens(), tokens, strict=True))
    assert stale_values() == {}

    result = runner.invoke(app, ["keys", "rotate", "--drop-old"])
    assert result.exit_code == 0, result.output
    assert "Dropped old keys" in result.output
    assert len(crypto.load_keys()) == 1
    assert _read_back() == before


@pytest.mark.django_db
def test_it_rotates_to_a_key_put_first_in_the_environment(cast, course, settings):
    old = crypto.generate_key()
    settings.OPENIPT_FIELD_KEYS = [old]
    _fill(cast, course, 2)
    before = _read_back()
    settings.OPENIPT_FIELD_KEYS = [crypto.generate_key(), old]
    assert stale_values() != {}
    assert runner.invoke(app, ["keys", "rotate"]).exit_code == 0
    assert stale_values() == {}
    settings.OPENIPT_FIELD_KEYS = settings.OPENIPT_FIELD_KEYS[:1]
    assert _read_back() == before
    refused = runner.invoke(app, ["keys", "rotate", "--drop-old"])
    assert refused.exit_code == 1
    assert "remove old keys there yourself" in refused.output


@pytest.mark.django_db
def test_it_stops_rotation_on_a_value_no_key_opens(cast, course, field_keys):
    note = services.add_note(cast.therapist, course, "kept")
    foreign = crypto.MultiFernet([crypto.Fernet(crypto.generate_key().encode())])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_psychotherapynote SET text = %s WHERE id = %s",
            [foreign.encrypt(b"x").decode(), note.pk],
        )
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 1
    assert "cannot be decrypted with any configured key" in result.output


def test_it_finds_every_encrypted_field_by_introspection():
    labels = {column.label for column in encrypted_columns()}
    assert {
        "privacy.PsychotherapyNote.text",
        "privacy.Disclosure.purpose",
        "privacy.Consent.note",
        "privacy.Erasure.reason",
    } <= labels


def test_it_names_only_fields_that_exist():
    statuses = sensitive_field_status()
    missing = [s.label for s in statuses if not s.exists]
    assert missing == []
    assert sum(len(names) for names in SENSITIVE_TEXT_FIELDS.values()) == len(statuses)
    privacy = [s for s in statuses if s.label.startswith("privacy.")]
    assert privacy and all(s.encrypted for s in privacy)


@pytest.mark.django_db
def test_it_reports_the_key_source_and_field_status(field_keys):
    result = runner.invoke(app, ["keys", "status"])
    assert result.exit_code == 0, result.output
    assert str(field_keys) in "".join(result.output.split())
    assert "privacy.PsychotherapyNote.text" in result.output


def test_it_prints_a_new_key_without_touching_anything(field_keys):
    result = runner.invoke(app, ["keys", "generate"])
    assert result.exit_code == 0
    crypto.Fernet(result.output.strip().encode())
    assert not field_keys.exists()


@pytest.mark.django_db
def test_it_creates_the_key_file_once(field_keys):
    assert runner.invoke(app, ["keys", "generate", "--write"]).exit_code == 0
    assert oct(field_keys.stat().st_mode)[-3:] == "600"
    again = runner.invoke(app, ["keys", "generate", "--write"])
    assert again.exit_code == 1
    assert "exists already" in " ".join(again.output.split())


@pytest.mark.django_db
def test_it_rotates_two_factor_secrets_too(cast, field_keys):
    from allauth.mfa.models import Authenticator

    from openipt.core.mfa import MFAAdapter

    totp = Authenticator.objects.create(
        user=cast.therapist, type="totp", data={"secret": crypto.encrypt("JBSWY3DPEHPK3PXP")}
    )
    result = runner.invoke(app, ["keys", "rotate", "--drop-old"])
    assert result.exit_code == 0, result.output
    assert "two-factor secrets (allauth.mfa): 1 re-encrypted" in result.output
    totp.refresh_from_db()
    assert len(crypto.load_keys()) == 1
    assert MFAAdapter().decrypt(totp.data["secret"]) == "JBSWY3DPEHPK3PXP"
