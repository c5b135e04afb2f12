"""A course for the cast's client, and one for the outsider's client."""

from __future__ import annotations

import datetime as dt

import pytest


def make_course(client, therapist, **extra):
    from openipt.courses.models import Course

    fields = {"format": "standard", "planned_sessions": 16, "started_on": dt.date(2025, 1, 6)}
    fields.update(extra)
    return Course.objects.create(client=client, therapist=therapist, **fields)


@pytest.fixture
def course(cast):
    return make_course(cast.client, cast.therapist, symptom_onset=dt.date(2024, 10, 1))


@pytest.fixture
def other_course(cast):
    return make_course(cast.other_client, cast.outsider)
