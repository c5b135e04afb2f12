"""Kill -9 the server while it accepts writes: every acknowledged write survives."""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.resilience.conftest import sqlite_only
from tests.resilience.server import DB_NAME, Server, base_env, integrity, request, sqlite_rows

pytestmark = pytest.mark.slow

WRITERS = 8


@sqlite_only()
def test_it_keeps_every_acknowledged_write_after_kill_9(server, data_dir, token):
    stop = threading.Event()
    acknowledged: list[str] = []
    lock = threading.Lock()

    def writer(n: int) -> int:
        sent = 0
        while not stop.is_set():
            number = f"K-{n}-{sent}"
            sent += 1
            try:
                status, _ = request(
                    server,
                    "POST",
                    "/api/v1/clients",
                    {"name": number, "record_number": number},
                    token,
                    timeout=10,
                )
            except (OSError, http.client.HTTPException):
                continue  # not acknowledged: the server died under this request
            if status == 201:
                with lock:
                    acknowledged.append(number)
        return sent

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = [pool.submit(writer, n) for n in range(WRITERS)]
        deadline = time.monotonic() + 30
        while len(acknowledged) < 80 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill9()  # mid-stream: writers are still sending
        time.sleep(0.5)
        stop.set()
        attempts = sum(f.result() for f in futures)
    assert len(acknowledged) >= 80
    assert attempts > len(acknowledged)  # some requests were in flight when it died

    db = data_dir / DB_NAME
    assert integrity(db) == "ok"
    stored = {r[0] for r in sqlite_rows(db, "SELECT record_number FROM clients_client")}
    assert set(acknowledged) <= stored

    restarted = Server(base_env(data_dir)).start()
    try:
        status, listing = request(restarted, "GET", "/api/v1/clients?limit=1", token=token)
        assert status == 200 and listing["count"] >= len(acknowledged)
        status, _ = request(restarted, "POST", "/api/v1/clients", {"name": "After restart"}, token)
        assert status == 201
    finally:
        restarted.stop()
    assert integrity(db) == "ok"
