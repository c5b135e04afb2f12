"""Insights fixtures: a supervisor's team and a frozen today.

The courses are rows with their summary columns set by hand (factories.make_course_row):
`bulk_create` sends no signals, so the assessments area's summary refresh does not
overwrite the columns a test sets.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from tests.factories import make_user

TODAY = datetime.date(2026, 3, 15)  # factories.ROW_START is 60 days before


@dataclass
class Team:
    supervisor: object
    therapist: object
    colleague: object  # a second therapist under the same supervisor
    other_supervisor: object
    outsider: object  # a therapist of the other supervisor


@pytest.fixture
def team(cast) -> Team:
    colleague = make_user(
        username="col", role="therapist", supervisor="sup", display_name="Colleague Cai"
    )
    other = make_user(username="sup2", role="supervisor", display_name="Supervisor Two")
    cast.outsider.supervisor = other
    cast.outsider.save(update_fields=["supervisor"])
    return Team(cast.supervisor, cast.therapist, colleague, other, cast.outsider)


@pytest.fixture
def today(monkeypatch):
    """Freeze the local date the insights code reads, so date rules are exact."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY
