"""Many writers at once through the real server (gunicorn, 3 workers, SQLite in WAL mode)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.resilience.conftest import sqlite_only
from tests.resilience.server import DB_NAME, integrity, request, sqlite_rows

pytestmark = pytest.mark.slow

WRITES = 200


@sqlite_only()
def test_it_loses_no_write_under_concurrent_posts(server, data_dir, token):
    def create(i: int) -> tuple[int, dict]:
        body = {"name": f"Concurrent {i:03d}", "record_number": f"C-{i:03d}"}
        return request(server, "POST", "/api/v1/clients", body, token)

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(create, range(WRITES)))
    failures = [(status, body) for status, body in results if status != 201]
    assert failures == []
    ids = {body["id"] for _, body in results}
    assert len(ids) == WRITES
    db = data_dir / DB_NAME
    stored = sqlite_rows(
        db, "SELECT record_number FROM clients_client WHERE name LIKE 'Concurrent %'"
    )
    assert sorted(r[0] for r in stored) == [f"C-{i:03d}" for i in range(WRITES)]
    assert integrity(db) == "ok"
    # Reads through the server see every write, from any worker.
    status, listing = request(server, "GET", "/api/v1/clients?limit=1", token=token)
    assert status == 200 and listing["count"] == WRITES
