"""Measurement schedules: every session, or intake and every n sessions; first and last always."""

from __future__ import annotations

import pytest

from openipt.measures.schedule import MeasureSchedule, is_due, missed


def _due(schedule: MeasureSchedule, planned: int) -> list[int]:
    return [n for n in range(1, planned + 1) if is_due(schedule, n, planned)]


def test_it_measures_every_session_by_default():
    assert _due(MeasureSchedule(), 16) == list(range(1, 17))


def test_it_measures_at_intake_and_every_4_sessions_and_at_the_last():
    schedule = MeasureSchedule("every_n", 4)
    assert _due(schedule, 16) == [1, 5, 9, 13, 16]
    assert _due(schedule, 12) == [1, 5, 9, 12]
    assert _due(MeasureSchedule("every_n", 3), 8) == [1, 4, 7, 8]


def test_it_keeps_the_cadence_after_the_planned_end_or_without_a_plan():
    schedule = MeasureSchedule("every_n", 4)
    assert is_due(schedule, 17, 16) is True
    assert is_due(schedule, 18, 16) is False
    assert [n for n in range(1, 10) if is_due(schedule, n, None)] == [1, 5, 9]


def test_it_lists_missed_measurements():
    schedule = MeasureSchedule("every_n", 4)
    assert missed(schedule, range(1, 9), {1, 4}) == [5]
    assert missed(schedule, range(1, 9), {1, 4}, planned_sessions=8) == [5, 8]
    assert missed(MeasureSchedule(), [1, 2, 3], [2]) == [1, 3]
    assert missed(schedule, [2, 3, 4], []) == []  # session 1 was not held: nothing to miss


def test_it_refuses_a_bad_schedule_or_session_number():
    with pytest.raises(ValueError, match="n must be"):
        MeasureSchedule("every_n", 0)
    with pytest.raises(ValueError, match="unknown cadence"):
        MeasureSchedule("weekly")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start at 1"):
        is_due(MeasureSchedule(), 0, 12)
