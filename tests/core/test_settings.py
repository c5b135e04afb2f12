"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from openipt import conf


def test_it_reads_booleans_and_refuses_other_words(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert conf.env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be true or false"):
        conf.env_bool("X_FLAG")


def test_it_refuses_a_non_number(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        conf.env_int("X_NUM", 1)


def test_it_refuses_a_number_below_the_minimum(monkeypatch):
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        conf.env_int("X_NUM", 5, minimum=1)


def test_it_refuses_an_unknown_choice(monkeypatch):
    monkeypatch.setenv("X_ENV", "staging")
    with pytest.raises(ImproperlyConfigured, match="demo, production"):
        conf.env_choice("X_ENV", ("demo", "production"), "demo")


def test_it_generates_and_keeps_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENIPT_SECRET_KEY", raising=False)
    first = conf.secret_key(tmp_path, production=False)
    assert first == conf.secret_key(tmp_path, production=False)
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("OPENIPT_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import openipt.settings"],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "OPENIPT_SECRET_KEY must be set"),
        ({"OPENIPT_SECRET_KEY": "short"}, "at least 50 characters"),
        ({"OPENIPT_SECRET_KEY": "k" * 60}, "OPENIPT_ALLOWED_HOSTS must be set"),
        (
            {
                "OPENIPT_SECRET_KEY": "k" * 60,
                "OPENIPT_ALLOWED_HOSTS": "x.org",
                "OPENIPT_DEBUG": "1",
            },
            "OPENIPT_DEBUG must be off",
        ),
    ],
)
def test_it_refuses_to_start_production_with_insecure_settings(tmp_path, env, message):
    result = _import_settings(
        {"OPENIPT_ENV": "production", "OPENIPT_DATA_DIR": str(tmp_path), **env}
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_it_starts_production_with_secure_settings(tmp_path):
    result = _import_settings(
        {
            "OPENIPT_ENV": "production",
            "OPENIPT_DATA_DIR": str(tmp_path),
            "OPENIPT_SECRET_KEY": "k" * 60,
            "OPENIPT_ALLOWED_HOSTS": "ipt.example.org",
        }
    )
    assert result.returncode == 0, result.stderr


def test_it_runs_sqlite_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_it_answers_health_checks(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}
