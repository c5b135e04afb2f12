"""`openipt client safety-plan ID`: the plan in use, printed for the operator and audited."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openipt.audit.models import AccessEvent
from openipt.cli import app
from openipt.clients.safety import save_plan

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_it_prints_the_plan_in_use_and_audits_the_read(cast):
    save_plan(cast.therapist, cast.client, shared_with_client=True, warning_signs="Not sleeping")
    save_plan(
        cast.therapist,
        cast.client,
        shared_with_client=False,
        warning_signs="Not sleeping, skipping meals",
        reasons_for_living="My daughter",
    )
    result = runner.invoke(app, ["client", "safety-plan", str(cast.client.pk)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output and "not shared with the client" in result.output
    assert "skipping meals" in result.output and "My daughter" in result.output
    assert AccessEvent.objects.filter(action="cli", object_type="client").exists()


def test_it_says_when_there_is_no_plan_or_no_client(cast):
    none = runner.invoke(app, ["client", "safety-plan", str(cast.client.pk)])
    assert none.exit_code == 0 and "no safety plan yet" in none.output
    missing = runner.invoke(app, ["client", "safety-plan", "9999"])
    assert missing.exit_code == 1
