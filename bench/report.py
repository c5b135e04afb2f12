"""Turn a benchmark run into bench/results.json and the table in bench/README.md.

results.json keeps one entry per (database, courses): a new run replaces the entry of the
same database and size and keeps the others, so a reduced run on both databases and a full
run on one can sit side by side. The README's table is rewritten between its markers.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import psutil

PAGES = (  # (timing name, interactive?)
    ("caseload", True),
    ("course page", True),
    ("course chart", True),
    ("session save", True),
    ("questionnaire submit", True),
    ("supervision dashboard", True),
    ("service outcomes", True),
)
TARGETS = {
    "p95_ms": 100,
    "p99_ms": 300,
    "mixed_rps": 300,
    "outcome_report_s": 1.0,
    "outcome_report_courses": 1_000_000,
    "caseload_200_ms": 20,
    "bare_ratio": 3.0,
}
START, END = "<!-- results:start -->", "<!-- results:end -->"


def percentile(values: list[float], pct: float) -> float | None:
    """Return the nearest-rank percentile (None without data)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return round(ordered[rank - 1], 2)


def _page(
    latency: dict | None, saturate: dict | None, window: float, solo: dict | None = None
) -> dict[str, Any]:
    empty = {"client": [], "server": [], "failures": 0}
    latency, saturate, solo = latency or empty, saturate or empty, solo or empty
    return {
        "solo_p50_ms": percentile(solo["server"], 50),
        "p50_ms": percentile(latency["server"], 50),
        "p95_ms": percentile(latency["server"], 95),
        "p99_ms": percentile(latency["server"], 99),
        "client_p50_ms": percentile(latency["client"], 50),
        "client_p95_ms": percentile(latency["client"], 95),
        "client_p99_ms": percentile(latency["client"], 99),
        "requests": len(latency["client"]),
        "failures": latency["failures"] + saturate["failures"],
        "rps": round(len(saturate["client"]) / window, 1) if window else None,
        "saturated_p95_ms": percentile(saturate["server"], 95),
        "saturated_client_p95_ms": percentile(saturate["client"], 95),
    }


def entry(
    database: str,
    args: Any,
    manifest: dict[str, Any],
    synth_wall: float,
    measured: dict[str, Any],
    phases: dict[str, Any],
    memory: dict[str, Any],
    work: Path,
) -> dict[str, Any]:
    """Return the results of one database."""
    latency, saturate, bare = phases["latency"], phases["saturate"], phases["bare"]
    solo = phases.get("solo", {"pages": {}})["pages"]
    window = saturate["window_s"]
    pages = {
        name: _page(lat, saturate["pages"].get(name), window, solo.get(name))
        for name, lat in ((n, latency["pages"].get(n)) for n, _ in PAGES)
    }
    bare_latency = latency["pages"].get("bare view", {"client": [], "server": []})
    bare_only = bare["pages"].get("bare view", {"client": [], "server": [], "failures": 0})
    mixed = sum(len(p["client"]) for n, p in saturate["pages"].items() if n != "bare view")
    return {
        "database": database,
        "courses": manifest["courses"],
        "run_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "pages": pages,
        "bare_view": {
            "solo_p50_ms": percentile(solo.get("bare view", {"server": []})["server"], 50),
            "p50_ms": percentile(bare_latency["server"], 50),
            "p95_ms": percentile(bare_latency["server"], 95),
            "p99_ms": percentile(bare_latency["server"], 99),
            "rps": round(len(bare_only["client"]) / bare["window_s"], 1),
            "saturated_p95_ms": percentile(bare_only["server"], 95),
            "saturated_client_p95_ms": percentile(bare_only["client"], 95),
            "failures": bare_only["failures"],
        },
        "mixed_rps": round(mixed / saturate["window_s"], 1),
        "latency_phase_rps": round(
            sum(len(p["client"]) for p in latency["pages"].values()) / latency["window_s"], 1
        ),
        "outcome_report_s": measured["outcome_report_s"],
        "outcome_report_runs_s": measured["outcome_report_runs_s"],
        "curves_fit_s": measured.get("curves_fit_s"),
        "curves_fit_error": measured.get("curves_fit_error"),
        "caseload_200_ms": measured["caseload_200_ms"],
        "caseload_200_p95_ms": measured["caseload_200_p95_ms"],
        "caseload_active_courses": measured["caseload_active_courses"],
        "synth_rows_per_s": manifest["assessment_rows_per_s"],
        "synth_seconds": manifest["seconds"],
        "synth_wall_s": round(synth_wall, 1),
        "synth_rows": manifest["rows"],
        "assessment_rows": manifest["assessment_rows"],
        "database_version": measured.get("database_version", ""),
        "load_average_before_load": measured.get("load_average_before_load"),
        "data_reused": measured.get("data_reused", False),
        "database_size_mb": _size_mb(database, work),
        **memory,
        "settings": {
            "users": args.users,
            "gunicorn_workers": args.workers,
            "phase_seconds": args.duration,
            "warmup_seconds": args.warmup,
        },
    }


def _size_mb(database: str, work: Path) -> float | None:
    if database != "sqlite":
        return None
    files = [work / "openipt.sqlite3", work / "openipt.sqlite3-wal"]
    return round(sum(f.stat().st_size for f in files if f.exists()) / 2**20, 1)


def write(current: dict[str, dict[str, Any]], args: Any, folder: Path) -> None:
    """Merge this run into results.json and rewrite the README's results block."""
    path = folder / "results.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    runs = [
        run
        for run in previous.get("runs", [])
        if (run["database"], run["courses"])
        not in {(r["database"], r["courses"]) for r in current.values()}
    ]
    runs = sorted([*runs, *current.values()], key=lambda r: (r["courses"], r["database"]))
    results = {
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "targets": TARGETS,
        "runs": runs,
    }
    path.write_text(json.dumps(results, indent=1) + "\n")
    readme = folder / "README.md"
    if readme.exists():
        text = readme.read_text()
        if START in text and END in text:
            head, rest = text.split(START, 1)
            _, tail = rest.split(END, 1)
            readme.write_text(head + START + "\n" + tables(results) + "\n" + END + tail)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _commit() -> str:
    """Return the checked-out commit, so a table says which code it measured."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return found.stdout.strip()


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def tables(results: dict[str, Any]) -> str:
    """Return the Markdown tables of every run in results.json."""
    lines = []
    for run in results["runs"]:
        lines += _run_table(run)
    m = results["machine"]
    lines.append(
        f"Machine: {m['cpus']} CPUs, {m['memory_gb']} GB, Python {m['python']}, "
        f"SQLite {m['sqlite']}; load average when the run ended: {m['load_average_at_end']}."
    )
    return "\n".join(lines)


def _run_table(run: dict[str, Any]) -> list[str]:
    bare = run["bare_view"]
    s = run["settings"]
    lines = [
        f"### {run['database']}, {run['courses']:,} courses ({run['run_at']}"
        f"{', commit ' + run['commit'] if run.get('commit') else ''})",
        "",
        f"{s['users']} users, {s['gunicorn_workers']} gunicorn workers, "
        f"{s['phase_seconds']} s per phase; {run.get('database_version', '')}; load average "
        f"before the load: {run.get('load_average_before_load')}"
        f"{'; data reused from the previous run' if run.get('data_reused') else ''}. Times are "
        "server time (Server-Timing): *alone* with one therapist and one supervisor, the rest "
        "in the latency phase; client p95 is what locust saw; rps is from the saturation "
        "phase.",
        "",
        "| Page | alone p50 ms | p50 ms | p95 ms | p99 ms | client p95 ms | rps (saturated) "
        "| failures | p95 / bare | Target p95 <= 100, p99 <= 300 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, _ in PAGES:
        p = run["pages"].get(name)
        if p is None:
            continue  # a run from before the page was measured
        ratio = p["p95_ms"] / bare["p95_ms"] if p["p95_ms"] and bare["p95_ms"] else None
        ok = None
        if p["p95_ms"] is not None and p["p99_ms"] is not None:
            ok = p["p95_ms"] <= TARGETS["p95_ms"] and p["p99_ms"] <= TARGETS["p99_ms"]
        lines.append(
            f"| {name} | {_ms(p.get('solo_p50_ms'))} | {_ms(p['p50_ms'])} "
            f"| {_ms(p['p95_ms'])} | {_ms(p['p99_ms'])} "
            f"| {_ms(p['client_p95_ms'])} | {_ms(p['rps'])} | {p['failures']} "
            f"| {'-' if ratio is None else f'{ratio:.1f}x'} | {_mark(ok)} |"
        )
    lines.append(
        f"| bare view (ceiling) | {_ms(bare.get('solo_p50_ms'))} | {_ms(bare['p50_ms'])} "
        f"| {_ms(bare['p95_ms'])} "
        f"| {_ms(bare['p99_ms'])} | - | {_ms(bare['rps'])} (alone) | {bare['failures']} "
        "| 1.0x | - |"
    )
    full = run["courses"] >= TARGETS["outcome_report_courses"]
    report_verdict = _mark(run["outcome_report_s"] <= 1.0) if full else "n/a (size)"
    synth_verdict = "n/a"
    if run["database"] == "sqlite":
        synth_verdict = _mark(run["synth_rows_per_s"] >= 100_000)
    ratio = bare["rps"] / run["mixed_rps"] if run["mixed_rps"] else None
    lines += [
        "",
        "| Figure | Value | Target | Verdict |",
        "|---|---:|---|---|",
        f"| Mixed workload | {run['mixed_rps']:,.1f} rps | >= 300 rps "
        f"| {_mark(run['mixed_rps'] >= TARGETS['mixed_rps'])} |",
        f"| Bare view alone | {bare['rps']:,.1f} rps | mixed within 3x "
        f"| {_mark(ratio is not None and ratio <= TARGETS['bare_ratio'])} "
        f"({'-' if ratio is None else f'{ratio:.1f}x'}) |",
        f"| Outcome report, all {run['courses']:,} courses | {run['outcome_report_s']:.3f} s "
        f"| <= 1 s at 1,000,000 | {report_verdict} |",
        f"| Caseload of {run['caseload_active_courses']} active courses "
        f"| {run['caseload_200_ms']:.1f} ms | <= 20 ms "
        f"| {_mark(run['caseload_200_ms'] <= TARGETS['caseload_200_ms'])} |",
        f"| Synthetic data | {run['synth_rows_per_s']:,} assessment rows/s "
        f"({run['synth_seconds']:,.0f} s) | >= 100,000 on SQLite "
        f"| {synth_verdict} |",
        f"| Peak memory per worker | {run['worker_peak_mb']:,.1f} MB | - | - |",
        f"| Expected-change curves, cold fit (both instruments) | {run.get('curves_fit_s')} s "
        f"| - | {run.get('curves_fit_error') or '-'} |",
        "",
    ]
    return lines
