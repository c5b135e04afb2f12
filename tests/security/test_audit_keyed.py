"""The keyed read audit against someone who owns the database but not the audit key.

They can switch the triggers off, delete rows, recompute every hash (with the old SHA-256
or a key of their own) and rewrite the chain head; `openipt audit verify` must still say
which events were deleted, edited or re-chained, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from typer.testing import CliRunner

from openipt.audit import append_only, keys, services
from openipt.audit.chain import ChainError
from openipt.audit.keys import AuditKey
from openipt.audit.models import GENESIS_HASH, AccessEvent, ChainHead, PendingAccess
from openipt.cli import app as cli_app
from openipt.core import crypto

AUDIT_TABLES = ("audit_accessevent", "audit_chainhead")
UPDATE_EVENT = (
    "UPDATE audit_accessevent SET seq = %s, prev_hash = %s, hash = %s, key_id = %s WHERE id = %s"
)
UPDATE_HEAD = (
    "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s, legacy_seq = %s, key_id = %s, "
    "mac = %s WHERE id = 1"
)


@pytest.fixture
def audit_keys(settings, tmp_path):
    """Give the test a key file of its own that holds the keys the test database was
    signed with, so that a rotation here cannot touch another test."""
    path = tmp_path / "audit_keys"
    keys.write_key_file(path, [key.text for key in keys.load_keys()])
    settings.OPENIPT_AUDIT_KEYS = []
    settings.OPENIPT_AUDIT_KEY_FILE = path
    return path


def _append(n: int) -> None:
    for i in range(n):
        services.record_access(None, "cli", "client", {"client_id": i + 1}, actor_label="cli:t")


def _events() -> list[AccessEvent]:
    services.chain_pending()
    return list(AccessEvent.objects.order_by("seq"))


def _kinds() -> list[str]:
    return [problem.kind for problem in services.verify_chain().problems]


def _verify_cli(*args: str):
    return CliRunner().invoke(cli_app, ["audit", "verify", *args])


@contextmanager
def as_owner() -> Iterator[None]:
    """Switch the append-only triggers off, as someone who owns the database would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_accessevent', 'audit_chainhead')"
            )
            saved = cursor.fetchall()
            for name, _ in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for _, sql in saved:
                    cursor.execute(sql)
            else:
                for table in AUDIT_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _raw(sql: str, params: list) -> None:
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _rechain(key: AuditKey | None, *, key_id: str | None = None, legacy: bool = False) -> None:
    """Renumber and re-hash every event and point the head at the last one, as someone with
    the database would after deleting rows: with no key, by the old unkeyed algorithm."""
    prev, seq = GENESIS_HASH, 0
    head = ChainHead.objects.get(pk=1)
    with as_owner(), connection.cursor() as cursor:
        for event in AccessEvent.objects.order_by("seq"):
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.key_id = (key.id if key else "") if key_id is None else key_id
            event.hash = prev = event.compute_hash(key)
            cursor.execute(UPDATE_EVENT, [seq, event.prev_hash, prev, event.key_id, event.pk])
        head.last_seq, head.last_hash = seq, prev
        head.legacy_seq = seq if legacy else head.legacy_seq
        if key is not None:  # without one, the old signature stays
            head.key_id = key.id
            head.mac = key.sign(head.signed_text())
        cursor.execute(UPDATE_HEAD, [seq, prev, head.legacy_seq, head.key_id, head.mac])


def _delete_seq(seq: int) -> None:
    _raw("DELETE FROM audit_accessevent WHERE seq = %s", [seq])


def _foreign_key() -> AuditKey:
    return keys.parse([crypto.generate_key()], "a key of the attacker's")[0]


# Signing


def test_it_signs_each_event_and_the_head_with_the_audit_key(db):
    _append(2)
    key = keys.current()
    first, second = _events()
    assert (first.key_id, second.key_id) == (key.id, key.id)
    assert second.hash == key.sign(first.hash + second.canonical())
    assert second.hash != second.compute_hash(None)  # not the plain SHA-256 any more
    head = ChainHead.objects.get(pk=1)
    assert (head.last_seq, head.key_id) == (2, key.id)
    assert key.signed(head.signed_text(), head.mac)
    assert services.verify_chain().ok


# The delete-and-rechain attack


def test_it_detects_rows_deleted_and_rechained_with_the_old_unkeyed_algorithm(db):
    _append(6)
    _delete_seq(3)
    _rechain(None)
    result = _verify_cli()
    assert result.exit_code == 1
    assert "Events #1 to #5" in result.output and "not signed" in result.output
    assert "chain head's signature does not match" in result.output
    assert _kinds() == ["unsigned", "head"]


@pytest.mark.parametrize("forge_id", [False, True], ids=["own-key-id", "forged-key-id"])
def test_it_detects_rows_deleted_and_rechained_with_a_wrong_key(db, forge_id):
    _append(6)
    _delete_seq(2)
    _rechain(_foreign_key(), key_id=keys.current().id if forge_id else None)
    result = _verify_cli()
    assert result.exit_code == 1
    assert "Events #1 to #5" in result.output
    expected = "rechained" if forge_id else "unknown-key"
    assert _kinds() == [expected, "head"]


def test_it_detects_a_trail_rechained_as_if_it_were_all_legacy(db):
    _append(4)
    _delete_seq(2)
    _rechain(None, legacy=True)  # every event now looks written before the chain was keyed
    assert _kinds() == ["head"]
    assert _verify_cli().exit_code == 1


def test_it_detects_the_newest_events_cut_off_with_the_head_moved_back(db):
    _append(5)
    third = _events()[2]
    _raw("DELETE FROM audit_accessevent WHERE seq > %s", [3])
    _raw("UPDATE audit_chainhead SET last_seq = %s, last_hash = %s", [3, third.hash])
    assert _kinds() == ["head"]


def test_it_names_a_deleted_event(db):
    _append(5)
    after = _events()[2]
    _delete_seq(2)
    result = _verify_cli()
    assert result.exit_code == 1
    assert f"Events #2 are missing (deleted) before event id {after.pk}" in result.output
    assert _kinds() == ["deleted"]


def test_it_names_the_newest_event_deleted(db):
    _append(3)
    _delete_seq(3)
    problems = services.verify_chain().problems
    assert [p.message for p in problems] == ["The newest events #3 to #3 are missing (deleted)."]


def test_it_names_an_edited_event(db):
    _append(5)
    victim = _events()[2]
    _raw("UPDATE audit_accessevent SET path = %s WHERE id = %s", ["/innocent/", victim.pk])
    result = _verify_cli()
    assert result.exit_code == 1
    assert f"Event id {victim.pk} (#3) was edited" in result.output
    assert _kinds() == ["edited"]  # only the edited one is named


def test_it_names_an_edit_whose_hash_was_recomputed_without_the_key(db):
    _append(4)
    victim = _events()[1]
    victim.path = "/forged/"
    forged = victim.compute_hash(_foreign_key())
    _raw(
        "UPDATE audit_accessevent SET path = %s, hash = %s WHERE id = %s",
        ["/forged/", forged, victim.pk],
    )
    assert _kinds() == ["edited", "unlinked"]


def test_it_prints_the_verification_as_json(db):
    _append(3)
    _delete_seq(2)
    result = _verify_cli("--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["ok"], data["checked"], data["head_seq"]) == (False, 2, 3)
    assert [p["kind"] for p in data["problems"]] == ["deleted"]


def test_it_will_not_extend_a_head_that_does_not_verify(db):
    _append(3)
    _delete_seq(2)
    _rechain(None)
    pending = services.record_access(None, "cli", "client", {"client_id": 9}, chain=False)
    with pytest.raises(ChainError, match="signature does not match"):
        services.chain_pending()
    with pytest.raises(ChainError):
        services.record_access(None, "cli", "client", {"client_id": 9})
    assert type(pending).objects.filter(pk=pending.pk).exists()  # the read is kept


def test_the_trail_page_says_when_the_chain_does_not_verify(cast, login):
    _append(3)
    _delete_seq(2)
    _rechain(None)
    login(cast.therapist).get(f"/clients/{cast.client.pk}/")
    page = login(cast.admin).get("/audit/")
    assert page.status_code == 200
    assert b"signature does not match" in page.content


# Append-only triggers, on both databases


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_accessevent SET path = '/x/'",
        "DELETE FROM audit_accessevent",
        "DELETE FROM audit_chainhead",
        "UPDATE audit_chainhead SET last_seq = 1",
        "UPDATE audit_chainhead SET last_seq = last_seq + 1, legacy_seq = last_seq + 1",
    ],
)
def test_it_refuses_raw_sql_that_rewrites_the_trail(db, sql):
    _append(2)
    with (
        pytest.raises(DatabaseError, match=r"append-only|only moves forward"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert services.verify_chain().ok


def test_it_has_its_triggers_after_every_migration(db):
    assert append_only.missing_triggers(connection) == []


def test_it_reports_triggers_that_were_dropped(db):
    _append(1)
    with as_owner():
        problems = services.verify_chain().problems
    assert [p.kind for p in problems] == ["guard"]


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_puts_the_triggers_back():
    _append(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AccessEvent.objects.exists() and not ChainHead.objects.exists()
    assert append_only.missing_triggers(connection) == []
    _append(1)  # a new chain starts from a new head
    assert services.verify_chain().ok


# Rotation


def test_it_rotates_the_key_and_keeps_verifying(db, audit_keys):
    _append(2)
    old = keys.current()
    result = CliRunner().invoke(cli_app, ["audit", "rotate-key"])
    assert result.exit_code == 0, result.output
    new = keys.current()
    assert new.id != old.id and [k.id for k in keys.load_keys()][:2] == [new.id, old.id]
    assert oct(audit_keys.stat().st_mode)[-3:] == "600"
    _append(2)
    events = _events()
    assert [e.key_id for e in events] == [old.id] * 2 + [new.id] * 3
    recorded = events[2]
    assert (recorded.action, recorded.object_ids) == ("key", {"from_key": old.id, "to_key": new.id})
    verified = services.verify_chain()
    assert verified.ok, verified.problems
    assert verified.key_ids == [old.id, new.id]


def test_it_needs_the_old_key_to_verify_what_it_signed(db, audit_keys):
    _append(2)
    CliRunner().invoke(cli_app, ["audit", "rotate-key"])
    keys.write_key_file(audit_keys, [keys.current().text])
    assert _kinds() == ["unknown-key"]


def test_it_records_a_rotation_made_in_the_environment(db, settings):
    _append(1)
    settings.OPENIPT_AUDIT_KEYS = [crypto.generate_key(), *(k.text for k in keys.load_keys())]
    _append(1)
    assert [e.action for e in _events()] == ["cli", "key", "cli"]
    assert services.verify_chain().ok
    result = CliRunner().invoke(cli_app, ["audit", "rotate-key"])
    assert result.exit_code == 1 and "OPENIPT_AUDIT_KEYS" in result.output


def test_it_reports_an_old_key_signing_after_the_rotation(db, settings):
    old = keys.current()
    settings.OPENIPT_AUDIT_KEYS = [crypto.generate_key(), *(k.text for k in keys.load_keys())]
    _append(2)
    last = _events()[-1]
    forged = AccessEvent(seq=last.seq + 1, prev_hash=last.hash, key_id=old.id, at=timezone.now())
    forged.action, forged.object_type = "cli", "client"
    forged.hash = forged.compute_hash(old)
    AccessEvent.objects.bulk_create([forged])  # inserting is allowed: reads are appended
    assert "key-change" in _kinds()


# Keys outside the database


def test_it_makes_a_key_file_readable_by_the_owner_only_in_demo_mode(settings, tmp_path):
    settings.OPENIPT_AUDIT_KEYS = []
    settings.OPENIPT_AUDIT_KEY_FILE = tmp_path / "audit_keys"
    (key,) = keys.load_keys()
    assert oct((tmp_path / "audit_keys").stat().st_mode)[-3:] == "600"
    assert keys.load_keys() == (key,)


def test_it_refuses_to_make_audit_keys_in_production(settings, tmp_path):
    settings.OPENIPT_AUDIT_KEYS = []
    settings.OPENIPT_AUDIT_KEY_FILE = tmp_path / "audit_keys"
    settings.PRODUCTION = True
    with pytest.raises(keys.AuditKeyError, match="No audit keys"):
        keys.load_keys()
    assert not (tmp_path / "audit_keys").exists()


def test_it_names_a_malformed_key(settings):
    settings.OPENIPT_AUDIT_KEYS = [crypto.generate_key(), "not-a-key"]
    with pytest.raises(keys.AuditKeyError, match="Key 2 in OPENIPT_AUDIT_KEYS is not an audit"):
        keys.load_keys()


def test_it_refuses_to_start_production_without_audit_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENIPT_")}
    env.update(
        OPENIPT_ENV="production",
        OPENIPT_DATA_DIR=str(tmp_path),
        OPENIPT_SECRET_KEY="k" * 60,
        OPENIPT_ALLOWED_HOSTS="openipt.example",
        OPENIPT_FIELD_KEYS=crypto.generate_key(),
        DJANGO_SETTINGS_MODULE="openipt.settings",
    )
    code = "import django; django.setup()"
    run = [sys.executable, "-c", code]
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "No audit keys" in done.stderr
    env["OPENIPT_AUDIT_KEYS"] = crypto.generate_key()
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "audit_keys").exists()


# Events chained before the chain was keyed


def _empty_trail() -> None:
    """Start from an empty trail and a new head, as a database before the upgrade was:
    whatever an earlier test of this worker left (a flushed head, pending reads) is gone."""
    with as_owner():
        PendingAccess.objects.all().delete()
        with connection.cursor() as cursor:  # the models refuse it: raw SQL, as an owner
            cursor.execute(f"DELETE FROM {AccessEvent._meta.db_table}")
        ChainHead.objects.update_or_create(
            pk=1,
            defaults={
                "last_seq": 0,
                "last_hash": GENESIS_HASH,
                "legacy_seq": 0,
                "key_id": "",
                "mac": "",
            },
        )


def _legacy_chain(n: int) -> None:
    """Write n events as OpenIPT did before the chain was keyed, then sign the head as
    migration 0004 does on upgrade."""
    _empty_trail()
    prev, events = GENESIS_HASH, []
    for seq in range(1, n + 1):
        event = AccessEvent(seq=seq, prev_hash=prev, at=timezone.now(), client_id=seq)
        event.action, event.object_type, event.role = "cli", "client", "cli"
        event.hash = prev = event.compute_hash(None)
        events.append(event)
    AccessEvent.objects.bulk_create(events)
    migration = importlib.import_module("openipt.audit.migrations.0004_keyed_chain_and_triggers")
    with as_owner():
        ChainHead.objects.filter(pk=1).update(last_seq=n, last_hash=prev, key_id="", mac="")
        migration.sign_head(apps, SimpleNamespace(connection=connection))


def test_it_reports_legacy_events_as_unkeyed_and_keys_the_chain_after_them(db):
    _legacy_chain(3)
    result = _verify_cli()
    assert result.exit_code == 0, result.output
    assert "the first 3 events were chained before the chain was keyed" in result.output
    _append(2)
    events = _events()
    assert [e.key_id for e in events] == [""] * 3 + [keys.current().id] * 2
    assert events[3].prev_hash == events[2].hash
    verified = services.verify_chain()
    assert (verified.ok, verified.legacy, verified.checked) == (True, 3, 5)


def test_it_detects_a_legacy_prefix_rechained_after_the_upgrade(db):
    _legacy_chain(4)
    _append(1)
    _delete_seq(2)
    prev, seq = GENESIS_HASH, 0
    with as_owner(), connection.cursor() as cursor:  # the old algorithm, legacy rows only
        for event in AccessEvent.objects.filter(key_id="").order_by("seq"):
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = event.compute_hash(None)
            cursor.execute(UPDATE_EVENT, [seq, event.prev_hash, event.hash, "", event.pk])
    # The keyed event after the prefix still names the old end of it, and cannot be re-signed.
    assert _kinds() == ["deleted"]
