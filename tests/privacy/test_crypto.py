"""Field keys and the encrypted field: where keys come from, and what happens when they fail."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from openipt.core import crypto
from openipt.core.fields import encrypt_existing_values
from openipt.privacy.models import PsychotherapyNote

pytestmark = pytest.mark.django_db
UPDATE_TEXT = "UPDATE privacy_psychotherapynote SET text = %s WHERE id = %s"


def test_it_creates_a_key_file_readable_by_the_owner_only_in_demo_mode(field_keys):
    assert not field_keys.exists()
    keys = crypto.load_keys()
    assert len(keys) == 1
    assert field_keys.exists()
    assert oct(field_keys.stat().st_mode)[-3:] == "600"
    assert crypto.load_keys() == keys


def test_it_refuses_to_make_keys_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(crypto.FieldKeyError, match="No field-encryption keys"):
        crypto.load_keys()


def test_it_prefers_the_environment_keys(settings, field_keys):
    first, second = crypto.generate_key(), crypto.generate_key()
    settings.OPENIPT_FIELD_KEYS = [first, second]
    assert crypto.load_keys() == (first, second)
    assert not field_keys.exists()


def test_it_names_a_malformed_key(settings):
    settings.OPENIPT_FIELD_KEYS = [crypto.generate_key(), "not-a-key"]
    with pytest.raises(crypto.FieldKeyError, match="Key 2 in OPENIPT_FIELD_KEYS is not a Fernet"):
        crypto.load_keys()


def test_it_rereads_the_key_file_when_it_changes(field_keys):
    token = crypto.encrypt("hello")
    old = crypto.load_keys()
    new = crypto.generate_key()
    crypto.write_key_file(field_keys, [new, *old])
    assert crypto.load_keys()[0] == new
    assert crypto.decrypt(token) == "hello"
    assert crypto.opens_with_current_key(token) is False
    assert crypto.opens_with_current_key(crypto.rotate(token)) is True


def test_it_stores_tokens_and_reads_plain_text(note):
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM privacy_psychotherapynote WHERE id = %s", [note.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith(crypto.TOKEN_PREFIX)
    assert "sister" not in stored
    assert PsychotherapyNote.objects.get(pk=note.pk).text == note.text


def test_it_raises_a_clear_error_when_the_key_is_gone(note, field_keys):
    crypto.write_key_file(field_keys, [crypto.generate_key()])
    with pytest.raises(crypto.DecryptionError, match=r"privacy\.PsychotherapyNote\.text cannot be"):
        PsychotherapyNote.objects.get(pk=note.pk)


def test_it_raises_a_clear_error_on_plain_text_in_an_encrypted_column(note):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_psychotherapynote SET text = 'plain' WHERE id = %s", [note.pk]
        )
    with pytest.raises(crypto.DecryptionError, match="is not encrypted"):
        PsychotherapyNote.objects.get(pk=note.pk)


def test_it_refuses_lookups_on_encrypted_fields(note):
    with pytest.raises(FieldError, match="cannot be searched, filtered or ordered"):
        list(PsychotherapyNote.objects.filter(text__icontains="sister"))
    with pytest.raises(FieldError):
        list(PsychotherapyNote.objects.filter(text="x"))
    assert PsychotherapyNote.objects.filter(text__isnull=False).count() == 1


def test_it_keeps_empty_text_empty(cast):
    from openipt.privacy.models import Consent

    consent = Consent.objects.create(client=cast.client, topic="treatment", given_on="2026-01-01")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM privacy_consent WHERE id = %s", [consent.pk])
        assert cursor.fetchone()[0] == ""


def test_it_encrypts_rows_written_before_a_field_was_encrypted(note):
    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_psychotherapynote SET text = 'legacy' WHERE id = %s", [note.pk]
        )
    step = encrypt_existing_values("privacy", "PsychotherapyNote", ("text",))
    editor = SimpleNamespace(connection=connection)  # all the step uses of a schema editor
    step.code(apps, editor)
    assert PsychotherapyNote.objects.get(pk=note.pk).text == "legacy"
    step.reverse_code(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM privacy_psychotherapynote WHERE id = %s", [note.pk])
        assert cursor.fetchone()[0] == "legacy"


def test_it_round_trips_json(field_keys):
    from openipt.core.fields import EncryptedJSONField

    field = EncryptedJSONField()
    stored = field.get_prep_value([{"label": "Mum", "feelings": "guilty"}])
    assert "guilty" not in stored
    assert field.from_db_value(stored, None, connection) == [{"label": "Mum", "feelings": "guilty"}]


def test_it_refuses_to_start_production_without_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENIPT_")}
    env.update(
        OPENIPT_ENV="production",
        OPENIPT_DATA_DIR=str(tmp_path),
        OPENIPT_SECRET_KEY="k" * 60,
        OPENIPT_ALLOWED_HOSTS="openipt.example",
        OPENIPT_AUDIT_KEYS=crypto.generate_key(),  # the audit's own keys are not in question
        DJANGO_SETTINGS_MODULE="openipt.settings",
    )
    code = "import django; django.setup()"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "No field-encryption keys" in done.stderr
    env["OPENIPT_FIELD_KEYS"] = crypto.generate_key()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "field_keys").exists()
