"""`openipt course show ID` through the real entry point."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openipt.cli import app
from tests.factories import agree_contract, run_sessions

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_it_shows_the_course_state_and_next_agenda(cast, course):
    from openipt.courses import services

    agree_contract(actor=cast.therapist, course=course)
    run_sessions(actor=cast.therapist, course=course, count=3)
    services.set_focus(
        cast.therapist, course, [{"area": "role_dispute", "dispute_stage": "impasse"}]
    )
    result = runner.invoke(app, ["course", "show", str(course.pk)], terminal_width=200)
    assert result.exit_code == 0, result.output
    for text in [
        "Carla Client",
        "Standard IPT",
        "middle",
        "16 weekly sessions",
        "Role disputes (Impasse stage)",
        "Session 4 of 16, middle phase",
        "Check in since the last session",
        "Impasse stage: Restart",
    ]:
        assert text in result.output, text


def test_it_says_when_the_course_has_ended(cast, course):
    from openipt.courses import services

    run_sessions(actor=cast.therapist, course=course, count=1)
    services.record_termination(cast.therapist, course, decision="referral", detail="CMHT")
    result = runner.invoke(app, ["course", "show", str(course.pk)], terminal_width=200)
    assert result.exit_code == 0
    assert "this course has ended" in result.output and "Referral" in result.output


def test_it_exits_1_for_an_unknown_course(cast):
    result = runner.invoke(app, ["course", "show", "9999"])
    assert result.exit_code == 1
    assert "No course with id 9999" in result.output
