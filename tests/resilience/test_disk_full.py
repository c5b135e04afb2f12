"""Fill the disk under the database: a clear "storage full" answer and an intact database."""

from __future__ import annotations

import subprocess

import pytest

from tests.resilience.conftest import sqlite_only
from tests.resilience.server import (
    DB_NAME,
    Server,
    base_env,
    copy_data_dir,
    integrity,
    request,
    sqlite_rows,
)

pytestmark = pytest.mark.slow

BALLAST = 256 * 1024  # freed at the end, to show writing works again once there is room


@pytest.fixture
def small_disk(tmp_path, template_dir):
    """A data directory on a tmpfs about 1 MB larger than the migrated database."""
    mount = tmp_path / "small"
    mount.mkdir()
    size_kb = (template_dir / DB_NAME).stat().st_size // 1024 + 1024
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        copy_data_dir(template_dir, mount)
        (mount / "ballast").write_bytes(b"\0" * BALLAST)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False, capture_output=True)
        subprocess.run(["umount", "-l", str(mount)], check=False, capture_output=True)


@sqlite_only()
def test_it_answers_storage_full_and_keeps_the_database_intact(small_disk):
    token = (small_disk / "token").read_text().strip()
    server = Server(base_env(small_disk)).start()
    try:
        stored, refusals = [], []
        for i in range(3000):
            body = {"name": f"Filler {i:04d} " + "x" * 180, "record_number": f"F-{i:04d}"}
            status, answer = request(server, "POST", "/api/v1/clients", body, token)
            if status == 201:
                stored.append(body["record_number"])
                continue
            refusals.append((status, answer))
            if answer.get("code") == "storage_full" or len(refusals) > 50:
                break
        assert refusals, "the disk never filled"
        # Never a bare 500: every refusal is a 503 that says what happened.
        assert {status for status, _ in refusals} == {503}, refusals
        status, answer = refusals[-1]
        assert answer.get("code") == "storage_full", refusals
        assert answer["detail"].startswith("Storage full")
        assert len(stored) > 5
        # The server survives: a small write may still fit or be refused, never a 500.
        again = request(server, "POST", "/api/v1/clients", {"name": "One more"}, token)
        assert again[0] in (201, 503), again
        assert request(server, "GET", "/healthz")[0] == 200

        (small_disk / "ballast").unlink()
        status, _ = request(server, "POST", "/api/v1/clients", {"name": "With room"}, token)
        assert status == 201
    finally:
        server.stop()
    db = small_disk / DB_NAME
    assert integrity(db) == "ok"
    found = {r[0] for r in sqlite_rows(db, "SELECT record_number FROM clients_client")}
    assert set(stored) <= found
