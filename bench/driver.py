"""Run the benchmark end to end for each database and write results.json and README.md.

Usage: python -m bench.driver [--courses N] [--databases sqlite,postgresql] [--duration 60]
       [--users 50] [--workers 4] [--port 8765]
Each database: a fresh synthetic service (`openipt synth`), the in-process timings
(bench/measure.py), then gunicorn on 127.0.0.1 driven by locust in bounded phases.
Caches as a deployment runs them: PostgreSQL with Redis (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/3, flushed at the start of the leg), SQLite with the product's file
cache (emptied at the start of the leg, BENCH_CACHE_MAX_ENTRIES entries at most).
"""

from __future__ import annotations

import argparse
import csv
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
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
# Room for every kept page (charts, reports) of every course the load's users open, so the
# file cache's culling (which drops a random share once full) never shows in the figures.
CACHE_MAX_ENTRIES = int(os.environ.get("BENCH_CACHE_MAX_ENTRIES", "200000"))
EXPECTED_CACHE = {"postgresql": "redis", "sqlite": "file"}
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
    empty_cache(database, work)
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
    cache = measured.get("cache", {})
    if cache.get("kind") != EXPECTED_CACHE[database]:
        wanted = EXPECTED_CACHE[database]
        print(f"  WARNING: the settings chose {cache.get('backend')}, not a {wanted} cache")
    measured["load_average_before_load"] = [round(x, 2) for x in os.getloadavg()]
    measured["data_reused"] = reused
    phases, memory = load_test(args, bench_env, work)
    measured["cache_entries_after_load"] = cache_entries(database, work)
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
         "--seed", "1", "--groups", "20", "--manifest", str(work / "manifest.json")],
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
        # A service: its workers share one Redis.
        env["OPENIPT_REDIS_URL"] = REDIS_URL
    else:
        # A laptop: no Redis, the workers share the file cache in the data folder.
        env["OPENIPT_CACHE_DIR"] = str(work / "cache")
        env["OPENIPT_CACHE_MAX_ENTRIES"] = str(CACHE_MAX_ENTRIES)
    return env


def empty_cache(database: str, work: Path) -> None:
    """Start the leg with an empty cache, so no figure leans on an earlier run's entries."""
    if database == "postgresql":
        _redis("FLUSHDB")
    else:
        shutil.rmtree(work / "cache", ignore_errors=True)


def cache_entries(database: str, work: Path) -> int | None:
    """Return how many entries the cache holds after the load (None if it cannot tell)."""
    if database == "postgresql":
        found = _redis("DBSIZE")
        return int(found) if found is not None else None
    folder = work / "cache"
    return sum(1 for _ in folder.glob("*.djcache")) if folder.is_dir() else 0


def _redis(command: str) -> Any:
    """Run one Redis command on the benchmark's database: the redis package, else redis-cli."""
    try:
        import redis
    except ImportError:
        return _redis_cli(command)
    try:
        return redis.Redis.from_url(REDIS_URL).execute_command(command)
    except redis.RedisError as error:
        raise SystemExit(f"Redis at {REDIS_URL} ({command}) failed: {error}") from None


def _redis_cli(command: str) -> str:
    try:
        found = subprocess.run(
            ["redis-cli", "-u", REDIS_URL, command],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as error:
        raise SystemExit(f"Redis at {REDIS_URL} ({command}) failed: {error}") from None
    answer = found.stdout.strip()
    if not answer or answer.startswith(("ERR", "Could not connect")):
        raise SystemExit(f"Redis at {REDIS_URL} ({command}): {answer} {found.stderr.strip()}")
    return answer


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
            before = cpu_snapshot(server.pid)
            timings = _locust(args, env, work, name, classes, phase, duration, users)
            timings["process_cpu_s"] = cpu_spent(before, cpu_snapshot(server.pid))
            timings["requests_total"] = _requests_total(work / f"{name}_stats.csv")
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


def cpu_snapshot(server: int) -> dict[str, dict[int, float]]:
    """Return the CPU seconds so far of each gunicorn worker and each PostgreSQL backend.

    The middleware's figure is Django's share of the worker; this is the whole of it (the
    HTTP parsing of gunicorn included) and, on PostgreSQL, the database server's work that
    the worker only waits for. Backends of other databases (test runs) are left out.
    """
    found: dict[str, dict[int, float]] = {"workers": {}, "database": {}}
    try:
        workers = psutil.Process(server).children()
    except psutil.Error:
        workers = []
    backends = []
    for process in psutil.process_iter(["cmdline"]):
        title = " ".join(process.info["cmdline"] or [])
        if title.startswith("postgres:") and f" {PG_BENCH_DB} " in title:
            backends.append(process)
    for kind, processes in (("workers", workers), ("database", backends)):
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            found[kind][process.pid] = times.user + times.system
    return found


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    """Return the CPU seconds spent between two snapshots (processes that ended are lost)."""
    return {
        kind: round(sum(cpu - before[kind].get(pid, 0.0) for pid, cpu in after[kind].items()), 3)
        for kind in after
    }


def _requests_total(stats: Path) -> int | None:
    """Return every request of the phase, ramp-up included, from locust's own CSV."""
    try:
        with stats.open() as found:
            rows = [row for row in csv.DictReader(found) if row.get("Name") == "Aggregated"]
    except OSError:
        return None
    return int(rows[0]["Request Count"]) if rows else None


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
