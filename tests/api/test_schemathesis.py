"""Property-based fuzzing of every API operation: no 5xx, no response off its schema.

Schemathesis generates requests from the OpenAPI document; a new route is covered the
moment it is registered. It runs in-process through WSGI against the test database.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    from django.core import signals
    from django.db import close_old_connections

    from openipt.wsgi import application

    # A real WSGI request closes the connection when it ends; in a test that would close
    # the transaction the test runs in, as Django's own test client also avoids.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def bearer(cast):
    from openipt.accounts.models import ApiToken

    _, secret = ApiToken.issue(cast.therapist)
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_it_never_fails_or_breaks_its_schema(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
