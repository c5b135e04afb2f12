"""CSV and Parquet files of an outcome report: the same rows and columns as the page.

Parquet is written by DuckDB's own writer from rows we pass in; DuckDB never reads our
database (its SQLite and PostgreSQL scanners download extensions at run time), and
extension autoloading is switched off so it never reaches the network.
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from openipt.insights.outcomes import COLUMNS, COUNTS, RATE_NAMES

MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
HEAD = ("scope", "group", "period_start", "period_end")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The columns' SQL types: counts are whole numbers, rates per cent, the rest text.
TYPES = {name: "BIGINT" for name in COUNTS}
for _name in RATE_NAMES:
    TYPES.update({_name: "BIGINT", f"{_name}_n": "BIGINT", f"{_name}_pct": "DOUBLE"})


def rows_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the report's rows and its total as flat dicts, head columns first."""
    filters = report["filters"]
    head = {
        "scope": report.get("scope", ""),
        "group": filters["group"],
        "period_start": date.fromisoformat(filters["start"]),
        "period_end": date.fromisoformat(filters["end"]),
    }
    flat = []
    for row in [*report["rows"], report["total"]]:
        values = {name: row[name] for name in COLUMNS}
        values["suppressed"] = ";".join(row["suppressed"])
        flat.append(head | values)
    return flat


def to_csv(report: dict[str, Any]) -> bytes:
    """Return the report as UTF-8 CSV; hidden and not-applicable cells are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*HEAD, *COLUMNS])
    for row in rows_of(report):
        writer.writerow([_cell(row[name]) for name in (*HEAD, *COLUMNS)])
    return buffer.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    # A spreadsheet would run a cell starting like a formula: a therapist's name included.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_parquet(report: dict[str, Any]) -> bytes:
    """Return the report as a Parquet file written by DuckDB; hidden cells are NULL."""
    names = (*HEAD, *COLUMNS)
    types = {"period_start": "DATE", "period_end": "DATE", **TYPES}
    table = ", ".join(f'"{name}" {types.get(name, "VARCHAR")}' for name in names)
    rows = [tuple(row[name] for name in names) for row in rows_of(report)]
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    with tempfile.TemporaryDirectory(prefix="openipt-export-") as folder:
        path = Path(folder) / "outcomes.parquet"
        with duckdb.connect(":memory:", config=config) as con:
            con.execute(f"CREATE TABLE outcomes ({table})")
            marks = ", ".join("?" * len(names))  # our own column list; values are bound
            con.executemany(f"INSERT INTO outcomes VALUES ({marks})", rows)  # noqa: S608
            quoted = str(path).replace("'", "''")
            con.execute(f"COPY outcomes TO '{quoted}' (FORMAT parquet)")
        return path.read_bytes()
