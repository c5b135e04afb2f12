"""Course fixtures: courses opened through the course engine, started over a year ago."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.factories import today

START = today() - timedelta(days=400)


@pytest.fixture
def course_options() -> dict[str, Any]:
    """Open `course` and `other_course` as a therapist would, with the format's contract."""
    return {"via": "service", "planned_sessions": None, "started_on": START}
