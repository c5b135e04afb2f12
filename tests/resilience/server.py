"""Run OpenIPT for real: a migrated data directory, the CLI, and gunicorn with workers.

The fault tests and the backup tests share these helpers. A data directory is migrated
once per test session (the template) and copied for each test, so every test starts from
a clean, migrated SQLite database with a therapist and an API token.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "resilience-password-2026"
DB_NAME = "openipt.sqlite3"


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Return an environment for a real OpenIPT process on this data directory (SQLite)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENIPT_", "DJANGO_"))}
    env.update(
        OPENIPT_DATA_DIR=str(data_dir),
        OPENIPT_ENV="demo",
        OPENIPT_API_RATE_USER="100000/m",
        OPENIPT_LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="openipt.settings",
    )
    env.update(extra)
    return env


def cli(env: dict[str, str], *args: str, stdin: str = "", timeout: int = 120):
    """Run `openipt ARGS` in a fresh process; return the completed process."""
    code = "from openipt.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


SETUP_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from openipt.accounts.models import ApiToken
from openipt.accounts.services import create_user
call_command("migrate", interactive=False, verbosity=0)
user = create_user("ther", "therapist", {password!r})
print(ApiToken.issue(user)[1])
"""


def make_template(data_dir: Path, env_extra: dict[str, str] | None = None) -> str:
    """Migrate a data directory, add a therapist and return an API token for them.

    One process does all three (Django starts once): the ORM against that database.
    """
    env = base_env(data_dir, **(env_extra or {}))
    done = subprocess.run(
        [sys.executable, "-c", SETUP_SCRIPT.format(password=PASSWORD)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    token = done.stdout.strip().splitlines()[-1]
    (data_dir / "token").write_text(token)
    return token


_templates: dict[str, Path] = {}


def shared_template(root: Path) -> Path:
    """Return a migrated data directory made once per test process (SQLite)."""
    if "sqlite" not in _templates:
        path = root / "openipt-template"
        path.mkdir(parents=True, exist_ok=True)
        make_template(path)
        _templates["sqlite"] = path
    return _templates["sqlite"]


def run_python(env: dict[str, str], code: str) -> str:
    """Run Django code in a fresh process on that environment; return what it printed."""
    script = "import django\ndjango.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def copy_data_dir(template: Path, target: Path) -> Path:
    """Copy a (closed, checkpointed) data directory to a new place."""
    target.mkdir(parents=True, exist_ok=True)
    for item in ("secret_key", "field_keys", "token", DB_NAME):
        if (template / item).exists():
            shutil.copy2(template / item, target / item)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """gunicorn serving OpenIPT on a data directory, in its own process group."""

    env: dict[str, str]
    workers: int = 3
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> Server:
        self.log = Path(self.env["OPENIPT_DATA_DIR"]).parent / f"gunicorn-{self.port}.log"
        args = [
            sys.executable, "-m", "gunicorn", "openipt.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--timeout", "60", "--graceful-timeout", "2", "--preload", "--no-control-socket",
            "--config", str(Path(__file__).with_name("gunicorn_conf.py")),
        ]  # fmt: skip
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                args, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if request(self, "GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {self.log.read_text()[-2000:]}")

    def kill9(self) -> None:
        """Kill the master and every worker at once, as a power cut or OOM killer would."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)  # gunicorn's quick shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill9()


def request(
    server: Server, method: str, path: str, body: object = None, token: str = "", timeout=30
) -> tuple[int, dict]:
    """Send one request; return (status, JSON body or {})."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw) if raw else {}
    except ValueError:
        return status, {"raw": raw.decode(errors="replace")}


def sqlite_rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


def integrity(db: Path) -> str:
    """Return SQLite's integrity verdict, opening read-write so a left-over WAL is recovered."""
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
