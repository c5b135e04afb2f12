"""Portal fixtures: a course for the cast's client, a second client with a portal account."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.factories import make_course, make_user, today

START = today() - datetime.timedelta(days=60)


@pytest.fixture
def course_options() -> dict[str, Any]:
    """The client's course started two months ago, so it is under way today."""
    return {"started_on": START}


@pytest.fixture
def other(cast):
    """A second portal client (the outsider's), with an active course of their own."""
    from types import SimpleNamespace

    user = make_user(username="cli2", role="client", display_name="Other client")
    cast.other_client.user = user
    cast.other_client.save()
    course = make_course(client=cast.other_client, therapist=cast.outsider, started_on=START)
    return SimpleNamespace(user=user, client=cast.other_client, course=course)
