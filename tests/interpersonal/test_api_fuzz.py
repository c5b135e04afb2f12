"""Fuzz this area's operations against a real course, person and event.

tests/api/test_schemathesis.py fuzzes every operation, but its ids rarely name a course
the token may see, so most of its requests stop at 404. Here the path ids are pinned to
real rows, so generated bodies reach the services: no 5xx and no response off its schema.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.test_schemathesis import CHECKS
from tests.conftest import clear_cache
from tests.factories import make_course
from tests.interpersonal.conftest import START

pytestmark = pytest.mark.slow

schema = schemathesis.pytest.from_fixture("api_schema").include(tag="interpersonal")


@pytest.fixture
def api_schema(db):
    from django.core import signals
    from django.db import close_old_connections

    from openipt.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(settings):

    settings.OPENIPT_API_RATE_USER = "100000/m"
    clear_cache()


@pytest.fixture
def setting(cast, unthrottled):
    from openipt.accounts.models import ApiToken
    from openipt.interpersonal import services

    course = make_course(
        client=cast.client,
        planned_sessions=16,
        started_on=START,
        symptom_onset=dt.date(2024, 10, 1),
    )
    person = services.add_person(cast.therapist, course, label="Mum", ring=1)
    event = services.add_event(
        cast.therapist, course, date=dt.date(2024, 9, 1), kind="death", person_id=person.pk
    )
    _, secret = ApiToken.issue(cast.therapist)
    ids = {"course_id": course.pk, "person_id": person.pk, "event_id": event.pk}
    return ids, {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_it_never_fails_on_real_rows(case, setting):
    ids, headers = setting
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]
    case.call_and_validate(headers=headers, checks=CHECKS)
