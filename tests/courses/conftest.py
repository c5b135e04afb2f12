"""Course fixtures: a standard course for the cast's client, and a way to run sessions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

START = date.today() - timedelta(days=400)


@pytest.fixture
def course(cast):
    from openipt.courses import services

    return services.open_course(cast.therapist, cast.client, "standard", started_on=START)


@pytest.fixture
def other_course(cast):
    """A course of another therapist's client, for outsider tests."""
    from openipt.courses import services

    return services.open_course(cast.outsider, cast.other_client, "standard", started_on=START)


def contract(actor, course, planned=16, frequency="weekly"):
    from openipt.courses import services

    return services.set_contract(actor, course, planned, frequency, agreed_on=course.started_on)


def run_sessions(actor, course, count, *, attendance="attended", **extra):
    """Record `count` weekly sessions after the last one; return them."""
    from openipt.courses import services

    course.refresh_from_db()
    last = course.sessions.order_by("-date").values_list("date", flat=True).first()
    day = (last + timedelta(days=7)) if last else course.started_on
    made = []
    for _ in range(count):
        made.append(services.record_session(actor, course, day, attendance, **extra))
        day += timedelta(days=7)
    course.refresh_from_db()
    return made


def grief_focus(actor, course):
    from openipt.courses import services

    return services.set_focus(actor, course, [{"area": "grief"}])
