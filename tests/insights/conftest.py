"""Insights fixtures: courses built row by row with their summary columns set by hand.

`bulk_create` sends no signals, so the assessments area's summary refresh does not
overwrite the columns a test sets; that is what makes these fixtures hand-built.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

import pytest

TODAY = datetime.date(2026, 3, 15)
_numbers = itertools.count(1)


def make_course(therapist, client=None, **fields):
    """Create one course with the given columns, bypassing the summary refresh."""
    from openipt.clients.models import Client
    from openipt.courses.models import Course

    if client is None:
        client = Client.objects.create(name=f"Client {next(_numbers)}", primary_therapist=therapist)
    values = {"format": "standard", "started_on": TODAY - datetime.timedelta(days=60)}
    values.update(fields)
    return Course.objects.bulk_create([Course(client=client, therapist=therapist, **values)])[0]


def finished(therapist, ended_on, **fields):
    """Create an ended course with two or more sessions (NHS TT "finished")."""
    values = {
        "status": "ended",
        "ended_on": ended_on,
        "started_on": ended_on - datetime.timedelta(days=70),
        "finished": True,
        "sessions_attended": 8,
    }
    values.update(fields)
    return make_course(therapist, **values)


def open_alert(course, *, raised_at, status="open"):
    from django.apps import apps

    alert = apps.get_model("assessments", "Alert")
    return alert.objects.create(
        course=course,
        instrument="phq9",
        version="1",
        item="9",
        value=2,
        raised_at=raised_at,
        raised_by=course.therapist,
        status=status,
    )


@dataclass
class Team:
    supervisor: object
    therapist: object
    colleague: object  # a second therapist under the same supervisor
    other_supervisor: object
    outsider: object  # a therapist of the other supervisor


@pytest.fixture
def team(cast) -> Team:
    from tests.conftest import make_user

    colleague = make_user("col", "therapist", supervisor="sup", display_name="Colleague Cai")
    other = make_user("sup2", "supervisor", display_name="Supervisor Two")
    cast.outsider.supervisor = other
    cast.outsider.save(update_fields=["supervisor"])
    return Team(cast.supervisor, cast.therapist, colleague, other, cast.outsider)


@pytest.fixture
def today(monkeypatch):
    """Freeze the local date the insights code reads, so date rules are exact."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY
