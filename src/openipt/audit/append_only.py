"""Database triggers that keep the read audit append-only, on SQLite and PostgreSQL.

The models refuse to change or delete events; these triggers refuse it to any SQL statement
as well: no UPDATE or DELETE of an event, no DELETE of the chain head, and an UPDATE of the
head only when it moves forward, as the chainer's does. Pending reads are not guarded: the
chainer deletes them as it links them. Whoever owns the database can drop the triggers (on
SQLite anyone who can write the file); the keyed chain shows what they then change, and
`openipt audit verify` reports missing triggers. Migration 0004 installs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

# The head may only move forward: a later event, the same legacy prefix, the same row.
HEAD_GOES_BACK = (
    "NEW.last_seq <= OLD.last_seq OR NEW.id <> OLD.id OR NEW.legacy_seq <> OLD.legacy_seq"
)

SQLITE = {
    "audit_accessevent_no_update": """
        CREATE TRIGGER audit_accessevent_no_update BEFORE UPDATE ON audit_accessevent
        BEGIN SELECT RAISE(ABORT, 'audit_accessevent is append-only: UPDATE refused'); END""",
    "audit_accessevent_no_delete": """
        CREATE TRIGGER audit_accessevent_no_delete BEFORE DELETE ON audit_accessevent
        BEGIN SELECT RAISE(ABORT, 'audit_accessevent is append-only: DELETE refused'); END""",
    "audit_chainhead_no_delete": """
        CREATE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON audit_chainhead
        BEGIN SELECT RAISE(ABORT, 'audit_chainhead is append-only: DELETE refused'); END""",
    "audit_chainhead_forward_only": f"""
        CREATE TRIGGER audit_chainhead_forward_only BEFORE UPDATE ON audit_chainhead
        WHEN {HEAD_GOES_BACK}
        BEGIN SELECT RAISE(ABORT, 'audit_chainhead only moves forward: UPDATE refused'); END""",
}

# The events' trigger (audit_accessevent_append_only) dates from migration 0002.
POSTGRESQL_HEAD = f"""
CREATE OR REPLACE FUNCTION audit_chainhead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_chainhead is append-only: DELETE refused';
    END IF;
    IF {HEAD_GOES_BACK} THEN
        RAISE EXCEPTION 'audit_chainhead only moves forward: UPDATE refused';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_chainhead_forward_only
    BEFORE UPDATE OR DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_forward_only();
"""
POSTGRESQL_HEAD_DROP = """
DROP TRIGGER IF EXISTS audit_chainhead_forward_only ON audit_chainhead;
DROP FUNCTION IF EXISTS audit_chainhead_forward_only();
"""
POSTGRESQL_TRIGGERS = ("audit_accessevent_append_only", "audit_chainhead_forward_only")


def install(schema_editor: Any) -> None:
    """Create the triggers this database needs (a migration's forward step)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE.values():
            schema_editor.execute(sql, None)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_HEAD, None)


def remove(schema_editor: Any) -> None:
    """Drop the triggers `install` created (the migration's backward step)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"', None)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_HEAD_DROP, None)


def missing_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the names of the guarding triggers this database lacks.

    On SQLite a migration that rebuilds an audit table drops its triggers with it: the
    verify command names them so that such a migration cannot pass unnoticed.
    """
    if connection.vendor == "sqlite":
        expected: tuple[str, ...] = tuple(SQLITE)
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    elif connection.vendor == "postgresql":
        expected = POSTGRESQL_TRIGGERS
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
    else:
        return []
    with connection.cursor() as cursor:
        cursor.execute(query)
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]


@contextmanager
def lifted(alias: str) -> Iterator[None]:
    """Drop the SQLite triggers for the block and put them back after it (for `flush`).

    PostgreSQL empties tables with TRUNCATE, which row triggers do not see, so it needs no
    lifting.
    """
    connection = connections[alias]
    if connection.vendor != "sqlite":
        yield
        return
    present = [name for name in SQLITE if name not in missing_triggers(connection)]
    with connection.cursor() as cursor:
        for name in present:
            cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in present:
                cursor.execute(SQLITE[name])
