"""Portal fixtures: a course for the cast's client, a second client with a portal account."""

from __future__ import annotations

import datetime

import pytest

from tests.conftest import make_user

START = datetime.date.today() - datetime.timedelta(days=60)


def make_course(client, therapist, **fields):
    from openipt.courses.models import Course

    values = {"format": "standard", "planned_sessions": 12, "started_on": START}
    values.update(fields)
    return Course.objects.create(client=client, therapist=therapist, **values)


def add_session(course, number: int, *, work: str = "", day=None, attendance="attended"):
    from openipt.courses.models import Session

    return Session.objects.create(
        course=course,
        number=number,
        date=day or course.started_on + datetime.timedelta(weeks=number - 1),
        attendance=attendance,
        phase="initial",
        between_sessions_work=work,
        recorded_by=course.therapist,
    )


def phq9(total: int = 10, item9: int = 0) -> dict[str, int]:
    """Return PHQ-9 answers with this total and item-9 answer."""
    rest, answers = total - item9, {}
    for item in range(1, 9):
        answers[str(item)] = min(3, rest)
        rest -= answers[str(item)]
    answers["9"] = item9
    return answers


@pytest.fixture
def course(cast):
    return make_course(cast.client, cast.therapist)


@pytest.fixture
def other(cast):
    """A second portal client (the outsider's), with an active course of their own."""
    from types import SimpleNamespace

    user = make_user("cli2", "client", display_name="Other client")
    cast.other_client.user = user
    cast.other_client.save()
    return SimpleNamespace(
        user=user, client=cast.other_client, course=make_course(cast.other_client, cast.outsider)
    )
