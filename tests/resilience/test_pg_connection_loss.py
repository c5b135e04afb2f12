"""Lose the PostgreSQL connection in the middle of a request; the next request recovers."""

from __future__ import annotations

import os
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.resilience.server import Server, base_env, make_template, request

pytestmark = pytest.mark.slow

PG_URL = os.environ.get("OPENIPT_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/openipt")


def _url_for(name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def _admin():
    import psycopg

    try:
        return psycopg.connect(_url_for("postgres"), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no PostgreSQL server at {PG_URL}: {exc}")


@pytest.fixture
def pg_database(tmp_path):
    """A database of its own on the local PostgreSQL server, dropped afterwards."""
    name = f"openipt_resilience_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url_for(name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _wait_for_blocked_backend(conn, database: str, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock'",
            [database],
        ).fetchone()
        if row:
            return int(row[0])
        time.sleep(0.05)
    raise AssertionError("the request never reached the database")


def test_it_recovers_on_the_next_request_after_the_connection_dies(pg_database, tmp_path):
    import psycopg

    data = tmp_path / "data"
    data.mkdir()
    token = make_template(data, {"OPENIPT_DATABASE_URL": pg_database})
    server = Server(base_env(data, OPENIPT_DATABASE_URL=pg_database), workers=1).start()
    database = urlsplit(pg_database).path.lstrip("/")
    blocker = psycopg.connect(pg_database)
    try:
        assert request(server, "GET", "/api/v1/clients", token=token)[0] == 200
        # Hold the table so the next insert waits inside the request, then cut its connection.
        blocker.execute("LOCK TABLE clients_client IN ACCESS EXCLUSIVE MODE")
        answer: dict = {}
        worker = threading.Thread(
            target=lambda: answer.update(
                result=request(server, "POST", "/api/v1/clients", {"name": "Lost"}, token)
            )
        )
        worker.start()
        with psycopg.connect(pg_database, autocommit=True) as killer:
            pid = _wait_for_blocked_backend(killer, database)
            killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        worker.join(timeout=30)
        blocker.rollback()
        status, body = answer["result"]
        assert status == 503, body
        assert body["code"] == "database_unavailable"
        assert "nothing was saved" in body["detail"]

        status, created = request(server, "POST", "/api/v1/clients", {"name": "Next"}, token)
        assert status == 201, created
        status, listing = request(server, "GET", "/api/v1/clients", token=token)
        assert status == 200
        assert [c["name"] for c in listing["items"]] == ["Next"]
    finally:
        blocker.close()
        server.stop()
