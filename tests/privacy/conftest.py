"""Privacy fixtures: keys of its own for each test, a course, and a re-authenticated login."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

# The browser tests of this area use the shared Playwright fixtures.
from tests.browser.conftest import browser_type_launch_args, shoot, sign_in  # noqa: F401
from tests.factories import add_session, today

START = today() - timedelta(days=60)


@pytest.fixture(autouse=True)
def field_keys(settings, tmp_path):
    """Give each test a fresh key file, so rotation in one test cannot touch another."""
    settings.OPENIPT_FIELD_KEYS = []
    settings.OPENIPT_FIELD_KEY_FILE = tmp_path / "field_keys"
    return settings.OPENIPT_FIELD_KEY_FILE


@pytest.fixture
def course_options() -> dict[str, Any]:
    """Open `course` and `other_course` as a therapist would, two months ago."""
    return {"via": "service", "planned_sessions": None, "started_on": START}


@pytest.fixture
def session_row(course):
    return add_session(course=course, number=1, date=START, notes="Session progress note")


@pytest.fixture
def reauthed(client):
    """Return a function that signs a user in as if they had just re-entered their password."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "reauthenticated": True}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
        return client

    return _login


@pytest.fixture
def note(cast, course):
    from openipt.privacy.services import add_note

    return add_note(cast.therapist, course, "Transference: she reminds me of my sister")
