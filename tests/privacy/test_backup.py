"""`openipt backup` and `openipt restore`, run for real on their own data directories."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.resilience.server import (
    DB_NAME,
    base_env,
    cli,
    copy_data_dir,
    integrity,
    run_python,
    shared_template,
    sqlite_rows,
)

SECRET = "Backup-secret-note-4242"
ADD_RECORD = f"""
import datetime
from openipt.accounts.models import User
from openipt.clients.services import create_client
from openipt.courses.services import open_course
from openipt.privacy.services import add_note
t = User.objects.get(username="ther")
c = create_client(t, name="Backup Betty")
course = open_course(t, c, "standard", started_on=datetime.date(2026, 1, 5))
add_note(t, course, {SECRET!r})
"""
READ_NOTES = """
from openipt.privacy.models import PsychotherapyNote
print([n.text for n in PsychotherapyNote.objects.all()])
"""


@pytest.fixture
def data_dir(tmp_path_factory, tmp_path) -> Path:
    template = shared_template(tmp_path_factory.getbasetemp())
    path = copy_data_dir(template, tmp_path / "data")
    run_python(base_env(path), ADD_RECORD)
    return path


def _clients(db: Path) -> list[str]:
    return sorted(r[0] for r in sqlite_rows(db, "SELECT name FROM clients_client"))


def _insert_clients(db: Path, stop: threading.Event, made: list[int]) -> None:
    conn = sqlite3.connect(db, timeout=30)
    therapist = conn.execute("SELECT id FROM accounts_user WHERE username='ther'").fetchone()[0]
    while not stop.is_set():
        with conn:
            conn.execute(
                "INSERT INTO clients_client (name, record_number, email, primary_therapist_id, "
                "show_progress_to_client, created_at, updated_at) "
                "VALUES (?, ?, '', ?, 1, datetime('now'), datetime('now'))",
                (f"Writer {len(made)}", f"W-{len(made)}", therapist),
            )
        made.append(1)
    conn.close()


@pytest.mark.skipif(
    os.environ.get("OPENIPT_DATABASE_URL", "").startswith("postgres"),
    reason="SQLite backups; PostgreSQL has its own test below",
)
def test_it_backs_up_and_restores_sqlite_with_verification(data_dir, tmp_path):
    env = base_env(data_dir)
    db, target = data_dir / DB_NAME, tmp_path / "backups" / "nightly.sqlite3"
    stop, made = threading.Event(), []
    writer = threading.Thread(target=_insert_clients, args=(db, stop, made))
    writer.start()
    try:
        done = cli(env, "backup", str(target))
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert "Integrity check: ok" in done.stdout
    assert "field keys are NOT in the backup" in done.stdout.replace("\n", " ")
    assert made, "the writer ran during the backup"
    assert oct(target.stat().st_mode)[-3:] == "600"
    assert not target.with_name(target.name + "-wal").exists()
    assert integrity(target) == "ok"
    raw = target.read_bytes()
    assert SECRET.encode() not in raw
    for key in (data_dir / "field_keys").read_text().split():
        assert key.encode() not in raw
    assert "Backup Betty" in _clients(target)

    again = cli(env, "backup", str(target))
    assert again.returncode == 1 and "exists" in again.stderr

    refused = cli(env, "restore", str(target))
    assert refused.returncode == 1 and "not empty" in refused.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM clients_client WHERE name LIKE 'Writer %'")
    before = _clients(target)
    restored = cli(env, "restore", str(target), "--force")
    assert restored.returncode == 0, restored.stderr
    assert "Restored and verified" in restored.stdout
    assert "clients_client" in restored.stdout
    assert _clients(db) == before
    assert SECRET in run_python(env, READ_NOTES)


@pytest.mark.skipif(
    os.environ.get("OPENIPT_DATABASE_URL", "").startswith("postgres"),
    reason="SQLite backups; PostgreSQL has its own test below",
)
def test_it_restores_into_a_new_install_and_checks_the_keys(data_dir, tmp_path):
    backup = tmp_path / "copy.sqlite3"
    assert cli(base_env(data_dir), "backup", str(backup)).returncode == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    env = base_env(fresh)
    # A new install with other keys cannot read the notes: the restore says so and stops.
    cli(env, "keys", "generate", "--write")
    wrong = cli(env, "restore", str(backup))
    assert wrong.returncode == 1
    assert "cannot decrypt" in wrong.stderr.replace("\n", " ")
    # With the keys kept apart from the backup, it restores without --force (empty target).
    shutil.copy2(data_dir / "field_keys", fresh / "field_keys")
    done = cli(env, "restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert SECRET in run_python(env, READ_NOTES)
    assert cli(env, "check").returncode == 0


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_it_refuses_a_file_that_is_not_a_backup(tmp_path, content):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    env = base_env(tmp_path / "target")
    (tmp_path / "target").mkdir()
    done = cli(env, "restore", str(bad))
    assert done.returncode == 1
    assert "did not verify" in done.stderr or "cannot be opened" in done.stderr
    assert not (tmp_path / "target" / DB_NAME).exists() or not sqlite_rows(
        tmp_path / "target" / DB_NAME, "SELECT name FROM sqlite_master"
    )


def test_it_refuses_a_missing_backup_file(tmp_path):
    done = cli(base_env(tmp_path), "restore", str(tmp_path / "none.sqlite3"))
    assert done.returncode == 1 and "No backup file" in done.stderr


PG_URL = os.environ.get("OPENIPT_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/openipt")


@pytest.fixture
def pg_url():
    psycopg = pytest.importorskip("psycopg")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    parts = urlsplit(PG_URL)
    name = f"openipt_backup_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(
            urlunsplit((parts.scheme, parts.netloc, "/postgres", "", "")),
            autocommit=True,
            connect_timeout=3,
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {PG_URL}: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_it_backs_up_and_restores_postgresql(pg_url, tmp_path):
    from tests.resilience.server import make_template

    data = tmp_path / "data"
    data.mkdir()
    make_template(data, {"OPENIPT_DATABASE_URL": pg_url})
    env = base_env(data, OPENIPT_DATABASE_URL=pg_url)
    run_python(env, ADD_RECORD)
    target = tmp_path / "pg.dump"
    done = cli(env, "backup", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes().startswith(b"PGDMP")
    assert SECRET.encode() not in target.read_bytes()
    run_python(
        env,
        "from openipt.privacy.models import PsychotherapyNote\n"
        "PsychotherapyNote.objects.all().delete()",
    )
    assert "[]" in run_python(env, READ_NOTES)
    refused = cli(env, "restore", str(target))
    assert refused.returncode == 1 and "not empty" in refused.stderr
    restored = cli(env, "restore", str(target), "--force")
    assert restored.returncode == 0, restored.stderr
    assert "django_migrations" in restored.stdout
    assert SECRET in run_python(env, READ_NOTES)
