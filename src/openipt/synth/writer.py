"""Write rows fast: multi-row INSERTs on SQLite, COPY on PostgreSQL, ids chosen up front.

Rows arrive as tuples in the column order of a `Table`; ids are allocated here from the
table's current maximum, so parents and children are written in one pass without reading
ids back. Encrypted fields are encrypted on the way in, as the ORM would. A table spec that
misses a NOT NULL column of its model fails at start, not half-way through a run.
"""

from __future__ import annotations

import datetime
import itertools
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import connection as default_connection
from django.db import models
from django.db.models import NOT_PROVIDED

from openipt.core import crypto
from openipt.core.fields import EncryptedJSONField, EncryptedTextField

# Rows per INSERT statement on SQLite: one statement per row costs ~3x more (measured).
ROWS_PER_STATEMENT = 200
SQLITE_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999


class SpecError(Exception):
    """A table spec no longer matches its model (a field was added or renamed)."""


@dataclass
class Table:
    """A model and the fields (attnames) of the row tuples written to it."""

    model: type[models.Model]
    fields: tuple[str, ...]
    explicit_id: bool = True
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    written: int = 0

    def __post_init__(self) -> None:
        meta = self.model._meta
        by_name = {f.attname: f for f in meta.concrete_fields}
        unknown = [name for name in self.fields if name not in by_name]
        if unknown:
            raise SpecError(f"{meta.label} has no field {', '.join(unknown)}")
        missing = [
            f.attname
            for f in meta.concrete_fields
            if f.attname not in self.fields
            and not f.null
            and f.db_default is NOT_PROVIDED
            and not (f.primary_key and not self.explicit_id)
        ]
        if missing:
            raise SpecError(
                f"{meta.label}: the synthetic data generator does not fill "
                f"{', '.join(missing)}; update openipt.synth.rows"
            )
        self.columns = tuple(str(by_name[name].column) for name in self.fields)
        self.encrypted = tuple(
            i for i, name in enumerate(self.fields) if isinstance(by_name[name], EncryptedTextField)
        )
        self.table = meta.db_table


@dataclass
class Writer:
    """Writes tables in the order given (parents first) on the default connection."""

    tables: dict[str, Table]
    connection: Any = None
    next_ids: dict[type[models.Model], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.connection is None:
            self.connection = default_connection
        self.connection.ensure_connection()
        self.vendor = self.connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise SpecError(f"Synthetic data supports SQLite and PostgreSQL, not {self.vendor}.")
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for table in self.tables.values():
                cursor.execute(f"SELECT MAX({quote('id')}) FROM {quote(table.table)}")  # noqa: S608
                self.next_ids[table.model] = (cursor.fetchone()[0] or 0) + 1

    def ids(self, model: type[models.Model], count: int) -> range:
        """Reserve `count` consecutive ids of `model`."""
        first = self.next_ids[model]
        self.next_ids[model] = first + count
        return range(first, first + count)

    def stamp(self, value: datetime.datetime | None) -> str | None:
        """Return an aware UTC datetime as the column text Django would store."""
        if value is None:
            return None
        if value.utcoffset():
            value = value.astimezone(datetime.UTC)
        text = value.isoformat(" ")
        return text[:-6] if self.vendor == "sqlite" else text  # SQLite: naive UTC

    def take(self) -> dict[str, list[tuple[Any, ...]]]:
        """Return the buffered rows by table name and start new buffers."""
        batch = {}
        for name, table in self.tables.items():
            batch[name], table.rows = table.rows, []
        return batch

    def write(self, batch: dict[str, list[tuple[Any, ...]]]) -> int:
        """Write a batch (rows by table name), parents first; return how many rows."""
        written = 0
        for name, table in self.tables.items():
            rows = batch.get(name)
            if not rows:
                continue
            if table.encrypted:
                rows = _encrypt(table, rows)
            if self.vendor == "sqlite":
                self._insert_sqlite(table, rows)
            else:
                self._copy_postgresql(table, rows)
            written += len(rows)
            table.written += len(rows)
        return written

    def flush(self) -> int:
        """Write every buffered row; return how many were written."""
        return self.write(self.take())

    def _insert_sqlite(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        width = len(table.columns)
        per = max(1, min(ROWS_PER_STATEMENT, SQLITE_MAX_VARIABLES // width))
        raw = self.connection.connection
        full = len(rows) - len(rows) % per
        if full:
            chunks = (
                list(itertools.chain.from_iterable(rows[i : i + per])) for i in range(0, full, per)
            )
            raw.executemany(_insert_sql(table, per), chunks)
        if full < len(rows):
            rest = rows[full:]
            raw.execute(_insert_sql(table, len(rest)), list(itertools.chain.from_iterable(rest)))

    def _copy_postgresql(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with (
            self.connection.connection.cursor() as cursor,
            cursor.copy(f'COPY "{table.table}" ({columns}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def reset_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the ids written here (SQLite needs nothing)."""
        statements = self.connection.ops.sequence_reset_sql(
            no_style(), [table.model for table in self.tables.values()]
        )
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


_SQL_CACHE: dict[tuple[str, tuple[str, ...], int], str] = {}


def _insert_sql(table: Table, count: int) -> str:
    key = (table.table, table.columns, count)
    sql = _SQL_CACHE.get(key)
    if sql is None:
        one = "(" + ",".join("?" * len(table.columns)) + ")"
        columns = ",".join(f'"{c}"' for c in table.columns)
        values = ",".join(itertools.repeat(one, count))
        sql = f'INSERT INTO "{table.table}" ({columns}) VALUES {values}'  # noqa: S608
        _SQL_CACHE[key] = sql
    return sql


def _encrypt(table: Table, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Encrypt the values of encrypted fields, as the field does on save.

    Blank text stays blank, as the field keeps it, and costs nothing; the key is taken once
    per batch. Most synthetic free text is blank, so most rows pass through untouched.
    """
    by_name = {f.attname: f for f in table.model._meta.concrete_fields}
    fields = [by_name[table.fields[i]] for i in table.encrypted]
    seal = crypto.encryptor()
    out = []
    for row in rows:
        values = None
        for index, model_field in zip(table.encrypted, fields, strict=True):
            value = row[index]
            if isinstance(model_field, EncryptedJSONField):
                value = model_field.get_prep_value(value)
            elif value:
                value = seal(value)
            else:
                continue
            values = values or list(row)
            values[index] = value
        out.append(row if values is None else tuple(values))
    return out


def chunked(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Yield lists of at most `size` items."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
