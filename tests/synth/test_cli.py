"""`openipt synth` through the real command line: messages and exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from openipt.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_it_creates_a_service_and_writes_a_manifest(tmp_path):
    from openipt.courses.models import Course

    manifest = tmp_path / "manifest.json"
    result = runner.invoke(
        app,
        ["synth", "--courses", "12", "--seed", "4", "--today", "2026-03-16",
         "--manifest", str(manifest)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created 12 courses" in result.output
    assert Course.objects.count() == 12
    written = json.loads(manifest.read_text())
    assert written["courses"] == 12
    assert written["usernames"]["therapists"] == ["synth4-ther00001"]


def test_it_refuses_a_database_with_data_and_exits_1(some_data):
    result = runner.invoke(app, ["synth", "--courses", "3"])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert "--append" in result.output


def test_it_refuses_production_and_exits_1(settings):
    settings.PRODUCTION = True
    result = runner.invoke(app, ["synth", "--courses", "3"])
    assert result.exit_code == 1
    assert "refused when OPENIPT_ENV=production" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--courses", "0"], "--courses"),
        (["--courses", "5", "--today", "16/03/2026"], "--today must be a date"),
        (["--courses", "5", "--big-caseload", "9"], "--big-caseload must be between"),
        (["--courses", "5", "--item9-rate", "2"], "--item9-rate"),
    ],
)
def test_it_refuses_bad_options_and_exits_2(args, message):
    from openipt.courses.models import Course

    result = runner.invoke(app, ["synth", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not Course.objects.exists()
