"""A rating due at the last session and not taken: the column, the agenda and the command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openipt.cli import app
from openipt.courses.models import Course
from openipt.courses.services import next_agenda
from tests.factories import add_session, gad7_answers, make_course, phq9_answers, score_session

pytestmark = pytest.mark.django_db


def _hold(course, number: int, *, rated: bool) -> None:
    session = add_session(course=course, number=number)
    if rated:
        score_session(session=session, instrument="phq9", answers=phq9_answers(total=12))
        score_session(session=session, instrument="gad7", answers=gad7_answers(total=9))
    course.refresh_from_db()


def _codes(course) -> set[str]:
    return {notice.code for notice in next_agenda(course).reminders}


def test_it_flags_a_rating_missed_at_the_last_session_and_clears_it_at_the_next(cast):
    course = make_course(client=cast.client, planned_sessions=12)
    _hold(course, 1, rated=True)
    assert course.measure_missed is False
    assert "measure_missed" not in _codes(course)
    _hold(course, 2, rated=False)  # every session is the default schedule
    assert course.measure_missed is True
    assert "measure_missed" in _codes(course)
    _hold(course, 3, rated=True)
    assert course.measure_missed is False
    assert "measure_missed" not in _codes(course)


def test_a_half_taken_rating_is_still_missed(cast):
    course = make_course(client=cast.client, planned_sessions=12)
    session = add_session(course=course, number=1)
    score_session(session=session, instrument="phq9", answers=phq9_answers(total=12))  # no GAD-7
    course.refresh_from_db()
    assert course.measure_missed is True


def test_the_command_recomputes_stale_columns_and_refuses_an_unknown_course(cast):
    course = make_course(client=cast.client, planned_sessions=12)
    _hold(course, 1, rated=False)
    Course.objects.filter(pk=course.pk).update(measure_missed=False)
    result = CliRunner().invoke(app, ["summaries", "refresh", "--course", str(course.pk)])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    assert Course.objects.get(pk=course.pk).measure_missed is True
    missing = CliRunner().invoke(app, ["summaries", "refresh", "--course", "999999"])
    assert missing.exit_code == 1
    assert "No course with id 999999" in missing.output
