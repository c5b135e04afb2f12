"""Fixtures for the assessments tests: courses and sessions made directly with the ORM."""

from __future__ import annotations

import datetime

import pytest

START = datetime.date(2026, 1, 5)


def phq9_answers(total: int, item9: int = 0) -> dict[str, int]:
    """Return PHQ-9 answers with this total and this item-9 answer."""
    rest = total - item9
    answers = {}
    for item in range(1, 9):
        value = min(3, rest)
        answers[str(item)] = value
        rest -= value
    assert rest == 0, "total too high for the item-9 answer"
    answers["9"] = item9
    return answers


def gad7_answers(total: int) -> dict[str, int]:
    """Return GAD-7 answers with this total."""
    answers, rest = {}, total
    for item in range(1, 8):
        value = min(3, rest)
        answers[str(item)] = value
        rest -= value
    assert rest == 0
    return answers


def make_course(therapist, client, **fields):
    from openipt.courses.models import Course

    values = {
        "format": "standard",
        "planned_sessions": 12,
        "started_on": START,
    }
    values.update(fields)
    return Course.objects.create(client=client, therapist=therapist, **values)


def add_session(course, number: int, *, attendance: str = "attended", day=None):
    from openipt.courses.models import Session

    return Session.objects.create(
        course=course,
        number=number,
        date=day or course.started_on + datetime.timedelta(weeks=number - 1),
        attendance=attendance,
        phase="initial",
        recorded_by=course.therapist,
    )


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


def score_session(course, session, instrument: str, answers: dict, **extra):
    """Record a score linked to a session, dated on the session's day."""
    from openipt.assessments.services import record_administration
    from openipt.measures import get_instrument

    return record_administration(
        course.therapist,
        course,
        get_instrument(instrument),
        answers,
        session=session,
        completed_at=at(session.date),
        **extra,
    ).administration


def run_course(course, phq9_totals, gad7_totals=None, *, item9=None):
    """Hold one session per PHQ-9 total, scoring PHQ-9 (and GAD-7) at each."""
    item9 = item9 or {}
    sessions = []
    for index, total in enumerate(phq9_totals, start=1):
        session = add_session(course, index)
        sessions.append(session)
        score_session(course, session, "phq9", phq9_answers(total, item9.get(index, 0)))
        if gad7_totals and index <= len(gad7_totals) and gad7_totals[index - 1] is not None:
            score_session(course, session, "gad7", gad7_answers(gad7_totals[index - 1]))
    course.refresh_from_db()
    return sessions


@pytest.fixture
def course(cast):
    return make_course(cast.therapist, cast.client)


@pytest.fixture
def other_course(cast):
    return make_course(cast.outsider, cast.other_client)
