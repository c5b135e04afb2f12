"""Back up and restore the database, verifying each copy before trusting it.

SQLite: the online backup API (consistent while the server writes), then an integrity
check of the copy. PostgreSQL: pg_dump in its custom format and pg_restore --clean in one
transaction. The field keys are never in a backup: they live outside the database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from openipt.core import crypto, kept

# Tables that a freshly migrated, still empty database already fills.
SCAFFOLD_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    """A backup or restore could not be made or did not verify; nothing was replaced."""


@dataclass
class Verification:
    integrity: str = ""
    migrations: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # The copy is sound but the configured keys cannot read its encrypted fields.
    key_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _tables_and_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _user_rows(counts: dict[str, int]) -> int:
    return sum(n for table, n in counts.items() if table not in SCAFFOLD_TABLES)


def _key_problems(read: Callable[[str, str], list[str]]) -> list[str]:
    """Return the encrypted columns whose sampled values the configured keys cannot open."""
    from openipt.privacy.encryption import encrypted_columns

    problems = []
    for column in encrypted_columns():
        try:
            values = read(column.model._meta.db_table, str(column.field.column))
        except (sqlite3.Error, BackupError):
            continue  # the table is newer than the backup
        for value in values:
            try:
                crypto.decrypt(value, where=column.label)
            except crypto.DecryptionError:
                problems.append(
                    f"{column.label}: the configured field keys cannot decrypt it; restore "
                    "the key file that belongs with this backup."
                )
                break
    return problems


def verify_sqlite(path: Path) -> Verification:
    """Check a SQLite file: integrity, the migrations table, row counts and the keys."""
    result = Verification()
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened as SQLite: {exc}") from None
    try:
        cur = db.cursor()
        result.integrity = cur.execute("PRAGMA integrity_check").fetchone()[0]
        names = [
            r[0]
            for r in cur.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result.counts = _tables_and_counts(cur, names)
        result.migrations = result.counts.get("django_migrations", 0)

        def sample(table: str, column: str) -> list[str]:
            sql = f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\' LIMIT 3'  # noqa: S608
            return [row[0] for row in cur.execute(sql)]

        result.key_problems.extend(_key_problems(sample))
    except sqlite3.DatabaseError as exc:
        result.integrity = str(exc)
    finally:
        db.close()
    if result.integrity != "ok":
        result.problems.insert(0, f"integrity check failed: {result.integrity}")
    if not result.migrations:
        result.problems.insert(0, "no django_migrations table: this is not an OpenIPT database")
    return result


def backup_sqlite(target: Path) -> Verification:
    """Copy the live database with the online backup API and verify the copy."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(_sqlite_path(), timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        # One self-contained file: no -wal or -shm beside the backup.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    os.chmod(partial, 0o600)
    result = verify_sqlite(partial)
    if not result.ok:
        partial.unlink(missing_ok=True)
        raise BackupError("The copy did not verify: " + "; ".join(result.problems))
    os.replace(partial, target)
    return result


def restore_sqlite(source: Path, *, force: bool) -> Verification:
    """Copy a verified backup into the live database, then verify the live database."""
    checked = verify_sqlite(source)
    if not checked.ok:
        raise BackupError("The backup did not verify: " + "; ".join(checked.problems))
    if checked.key_problems and not force:
        raise BackupError("; ".join(checked.key_problems) + " (restore anyway only with --force).")
    live = _sqlite_path()
    if live.exists() and not force:
        existing = verify_sqlite(live).counts if live.stat().st_size else {}
        if _user_rows(existing):
            raise BackupError(
                f"The database {live} is not empty ({_user_rows(existing)} rows); "
                "restore over it only with --force."
            )
    connections.close_all()
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(live, timeout=30)
    try:
        backup.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        backup.close()
    return verify_sqlite(live)


def _pg_env() -> tuple[dict[str, str], str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # in the environment, never on the command line
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env, str(db["NAME"])


def _run(args: list[str], env: dict[str, str]) -> str:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def _pg_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        names = [row[0] for row in cursor.fetchall()]
        return _tables_and_counts(cursor, names)


def verify_postgres() -> Verification:
    """Check the live PostgreSQL database: migrations table, row counts and the keys."""
    result = Verification(integrity="ok", counts=_pg_counts())
    result.migrations = result.counts.get("django_migrations", 0)
    if not result.migrations:
        result.problems.append("no django_migrations table: this is not an OpenIPT database")

    def sample(table: str, column: str) -> list[str]:
        if table not in result.counts:
            raise BackupError(table)
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\' LIMIT 3'  # noqa: S608
            )
            return [row[0] for row in cursor.fetchall()]

    result.key_problems.extend(_key_problems(sample))
    return result


def backup_postgres(target: Path) -> Verification:
    """Dump with pg_dump -Fc and check that pg_restore can read the dump."""
    env, name = _pg_env()
    partial = target.with_name(f".{target.name}.partial")
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", name], env)
    os.chmod(partial, 0o600)
    listing = _run(["pg_restore", "--list", str(partial)], env)
    if "django_migrations" not in listing:
        partial.unlink(missing_ok=True)
        raise BackupError("The dump has no django_migrations table; it was not kept.")
    os.replace(partial, target)
    return verify_postgres()


def restore_postgres(source: Path, *, force: bool) -> Verification:
    """Restore a pg_dump file with pg_restore --clean in one transaction, then verify."""
    env, name = _pg_env()
    listing = _run(["pg_restore", "--list", str(source)], env)
    if "django_migrations" not in listing:
        raise BackupError(f"{source} is not a dump of an OpenIPT database.")
    if not force and _user_rows(_pg_counts()):
        raise BackupError(f"The database {name} is not empty; restore over it only with --force.")
    connections.close_all()
    args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run([*args, f"--dbname={name}", str(source)], env)
    return verify_postgres()


def backup(target: Path) -> Verification:
    """Back up the configured database to the file, refusing to leave a bad copy."""
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    return backup_sqlite(target) if is_sqlite() else backup_postgres(target)


def restore(source: Path, *, force: bool = False) -> Verification:
    """Restore the configured database from a backup file made by `backup`."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    result = (
        restore_sqlite(source, force=force)
        if is_sqlite()
        else restore_postgres(source, force=force)
    )
    kept.changed_everything()  # nothing kept from the replaced records may be shown
    return result
