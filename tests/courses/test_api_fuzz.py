"""Fuzz the course operations against a real course, so requests reach the services.

The project-wide schemathesis test mostly meets 404s here (it has no course); this one
points every `course_id` at an existing course of the token's owner.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.test_schemathesis import CHECKS
from tests.courses.conftest import START

pytestmark = pytest.mark.slow


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


OWN = (
    r"^/api/v1/courses(/\{course_id\}(/(sessions|contract|focus|goals|termination|letter\.pdf))?)?$"
)
schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex=OWN)


@pytest.fixture
def target(cast):
    from openipt.accounts.models import ApiToken
    from openipt.courses import services

    course = services.open_course(cast.therapist, cast.client, "standard", started_on=START)
    services.set_contract(cast.therapist, course, 16, "weekly", agreed_on=START)
    _, secret = ApiToken.issue(cast.therapist)
    return course, {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_it_never_fails_on_a_real_course(case, target):
    course, headers = target
    if case.path_parameters and "course_id" in case.path_parameters:
        case.path_parameters["course_id"] = course.pk
    case.call_and_validate(headers=headers, checks=CHECKS)
