"""Fixtures for the fault tests: one migrated template, copied into each test's data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.resilience.server import Server, base_env, copy_data_dir, shared_template


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory) -> Path:
    return shared_template(tmp_path_factory.getbasetemp())


@pytest.fixture
def data_dir(template_dir, tmp_path) -> Path:
    return copy_data_dir(template_dir, tmp_path / "data")


@pytest.fixture
def token(data_dir) -> str:
    return (data_dir / "token").read_text().strip()


@pytest.fixture
def server(data_dir):
    """A running gunicorn with three workers on the test's own SQLite database."""
    running = Server(base_env(data_dir)).start()
    yield running
    running.stop()


def sqlite_only() -> pytest.MarkDecorator:
    """Skip SQLite fault tests in the PostgreSQL leg: they ran in the SQLite leg."""
    on_pg = os.environ.get("OPENIPT_DATABASE_URL", "").startswith("postgres")
    return pytest.mark.skipif(on_pg, reason="SQLite fault test; it runs in the SQLite leg")
