"""Run the benchmark end to end for each database and write results.json and README.md.

Usage: python -m bench.driver [--courses N] [--databases sqlite,postgresql] [--duration 60]
       [--users 50] [--workers 4] [--port 8765]
Each database: a fresh synthetic service (`openipt synth`), the in-process timings
(bench/measure.py), then gunicorn on 127.0.0.1 driven by locust in three bounded phases.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from bench import report, signin

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# The command line through the interpreter (as `openipt` does), by module rather than by the
# console script, so that the process is named python like every other step.
OPENIPT = (sys.executable, "-m", "openipt.cli")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "openipt_bench"
STAFF = ("TherapistUser", "SupervisorUser")
PHASES = (  # name, user classes, pacing, users (None: --users), recorded
    ("warmup", STAFF, "saturate", None, False),
    # One therapist and one supervisor, no pauses: each page's own cost, nothing queued.
    ("solo", STAFF, "saturate", 2, True),
    ("latency", STAFF, "latency", None, True),
    ("saturate", STAFF, "saturate", None, True),
    ("bare", ("BareUser",), "bare", None, True),
)


def main() -> None:
    args = _arguments()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for database in args.databases:
        print(f"\n=== {database}: {args.courses:,} courses ===", flush=True)
        results[database] = run_database(database, args)
        report.write(results, args, ROOT / "bench")
    print(f"\nWrote {ROOT / 'bench' / 'results.json'} and bench/README.md.")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--courses", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=60, help="seconds per load phase")
    parser.add_argument("--warmup", type=int, default=20, help="seconds of unrecorded load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the previous run's synthetic service when it has the same size "
        "(the load phases have added to it since)",
    )
    args = parser.parse_args()
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(args.databases) - {"sqlite", "postgresql"}
    if unknown or not args.databases:
        parser.error(f"--databases takes sqlite and/or postgresql, not {sorted(unknown)}")
    if args.courses < 300:
        parser.error("--courses must be at least 300 (the big caseload alone is 200)")
    return args


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    """Build, measure and load-test one database; return its results entry."""
    work = OUT / database
    env = _environment(database, work)
    reused = args.reuse_data and _same_size(work, args.courses)
    if reused:
        print("  reusing the synthetic service of the previous run", flush=True)
        # The code may have moved on since: bring the schema up to date, as an upgrade would.
        _run([*OPENIPT, "migrate"], env, work / "migrate-reuse.log")
    else:
        _build(database, args, work, env)
    manifest = json.loads((work / "manifest.json").read_text())
    synth_wall = json.loads((work / "synth-run.json").read_text())["wall_s"]
    bench_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    _run([sys.executable, "-m", "bench.prepare", work / "manifest.json", work / "plan.json"],
         bench_env, work / "prepare.log")  # fmt: skip
    _run([sys.executable, "-m", "bench.measure", work / "manifest.json", work / "measure.json"],
         bench_env, work / "measure.log", echo=True)  # fmt: skip
    measured = json.loads((work / "measure.json").read_text())
    measured["load_average_before_load"] = [round(x, 2) for x in os.getloadavg()]
    measured["data_reused"] = reused
    phases, memory = load_test(args, bench_env, work)
    return report.entry(database, args, manifest, synth_wall, measured, phases, memory, work)


def _same_size(work: Path, courses: int) -> bool:
    try:
        return json.loads((work / "manifest.json").read_text())["courses"] == courses
    except (OSError, ValueError, KeyError):
        return False


def _build(database: str, args: argparse.Namespace, work: Path, env: dict[str, str]) -> None:
    """Make a fresh database and fill it with `openipt synth`."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if database == "postgresql":
        _recreate_postgresql()
    _run([*OPENIPT, "migrate"], env, work / "migrate.log")
    started = time.perf_counter()
    _run(
        [*OPENIPT, "synth", "--courses", str(args.courses), "--big-caseload", "200",
         "--seed", "1", "--manifest", str(work / "manifest.json")],
        env, work / "synth.log", echo=True,
    )  # fmt: skip
    wall = round(time.perf_counter() - started, 1)
    (work / "synth-run.json").write_text(json.dumps({"wall_s": wall}) + "\n")


def _environment(database: str, work: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("OPENIPT_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        OPENIPT_ENV="demo",
        OPENIPT_DATA_DIR=str(work),
        OPENIPT_LOG_LEVEL="ERROR",
        # The API's per-user limit (1200/m by default) would throttle the load itself and
        # measure the limiter rather than the service: raised for the benchmark only.
        OPENIPT_API_RATE_USER="1000000/m",
        OPENIPT_API_RATE_ANON="1000000/m",
        PYTHONPATH=str(ROOT),
    )
    if database == "postgresql":
        env["OPENIPT_DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB
    return env


def _recreate_postgresql() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")


def _run(
    command: list, env: dict[str, str], log: Path, *, echo: bool = False, ok: tuple = (0,)
) -> None:
    """Run a step; show its output when asked; stop the benchmark if it fails."""
    with log.open("w") as sink:
        process = subprocess.Popen(
            [str(part) for part in command], env=env, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            sink.write(line)
            if echo:
                print(line, end="", flush=True)
    code = process.wait()
    if code not in ok:
        shown = " ".join(str(part) for part in command[:4])
        raise SystemExit(f"{shown} ... failed with exit code {code}: see {log}")


def load_test(
    args: argparse.Namespace, env: dict[str, str], work: Path
) -> tuple[dict[str, Any], dict[str, float]]:
    """Serve with gunicorn and run every locust phase; return timings and worker memory."""
    server_log = (work / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.serve",
         "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
         "--timeout", "300", "--access-logfile", "/dev/null", "--error-logfile", "-"],
        env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    sampler = MemorySampler(server.pid)
    try:
        _wait_until_up(args.port, server)
        signed = signin.sign_in_all(f"http://127.0.0.1:{args.port}", work / "plan.json")
        print(f"  signed in {signed} users through the login form", flush=True)
        sampler.start()
        phases = {}
        for name, classes, phase, users, recorded in PHASES:
            duration = args.warmup if name in ("warmup", "solo") else args.duration
            users = users or args.users
            print(f"  load phase {name}: {users} users, {duration} s", flush=True)
            timings = _locust(args, env, work, name, classes, phase, duration, users)
            if recorded:
                phases[name] = timings
    finally:
        sampler.stop()
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server_log.close()
    return phases, sampler.peaks()


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped with exit code {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz within 120 s")


def _locust(
    args: argparse.Namespace,
    env: dict[str, str],
    work: Path,
    name: str,
    classes: tuple[str, ...],
    phase: str,
    duration: int,
    users: int,
) -> dict[str, Any]:
    timings = work / f"timings-{name}.json"
    locust_env = {
        **env,
        "BENCH_PLAN": str(work / "plan.json"),
        "BENCH_PHASE": phase,
        "BENCH_TIMINGS": str(timings),
        "BENCH_GRACE": str(min(10, duration // 6)),
    }
    command = [
        sys.executable, "-m", "bench.load", "--headless",
        "-u", str(users), "-r", str(users), "-t", f"{duration}s",
        "--host", f"http://127.0.0.1:{args.port}", "--csv", work / name,
        "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10", *classes,
    ]  # fmt: skip
    try:  # exit code 1 only says that some requests failed: they are counted
        _run(command, locust_env, work / f"locust-{name}.log", ok=(0, 1))
    except SystemExit as stopped:  # killed from outside (seen on a shared machine): again
        print(f"  {stopped}; running the phase again", flush=True)
        _run(command, locust_env, work / f"locust-{name}.log", ok=(0, 1))
    return json.loads(timings.read_text())


class MemorySampler:
    """Sample the resident memory of gunicorn's workers twice a second; keep each peak."""

    def __init__(self, master: int) -> None:
        self.master = psutil.Process(master)
        self.peak: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                workers = self.master.children()
            except psutil.Error:
                return
            for worker in workers:
                try:
                    rss = worker.memory_info().rss
                except psutil.Error:
                    continue
                self.peak[worker.pid] = max(self.peak.get(worker.pid, 0), rss)

    def peaks(self) -> dict[str, float]:
        mib = [round(rss / 2**20, 1) for rss in self.peak.values()]
        return {"worker_peak_mb": max(mib, default=0.0), "workers_peak_mb": sorted(mib)}


if __name__ == "__main__":
    main()
