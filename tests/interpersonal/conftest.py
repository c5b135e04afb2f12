"""The interpersonal area's courses: 16 sessions from a January 2025 start."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

START = dt.date(2025, 1, 6)


@pytest.fixture
def other_course_options() -> dict[str, Any]:
    """Both courses: 16 sessions from 6 January 2025."""
    return {"planned_sessions": 16, "started_on": START}


@pytest.fixture
def course_options(other_course_options: dict[str, Any]) -> dict[str, Any]:
    """The client's course also knows when the symptoms began: the timeline's anchor."""
    return other_course_options | {"symptom_onset": dt.date(2024, 10, 1)}
