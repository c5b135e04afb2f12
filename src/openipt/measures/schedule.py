"""When a course should measure: every session, or intake and every n sessions.

NHS Talking Therapies measures at every session [S85]; the IPT Institute at intake and every
4 sessions [S6], [S111]. The first and the last planned session are always measured
(ipt.md §11.2 item 5), so there is a baseline and an end score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Cadence = Literal["every_session", "every_n"]


@dataclass(frozen=True)
class MeasureSchedule:
    """A measurement cadence. With "every_n", sessions 1, 1+n, 1+2n ... are due."""

    cadence: Cadence = "every_session"
    n: int = 4

    def __post_init__(self) -> None:
        if self.cadence not in ("every_session", "every_n"):
            raise ValueError(f"unknown cadence {self.cadence!r}")
        if type(self.n) is not int or self.n < 1:
            raise ValueError("n must be a whole number of at least 1")


def is_due(schedule: MeasureSchedule, session_number: int, planned_sessions: int | None) -> bool:
    """Return True when measures are due at this session (always the first and the last)."""
    if session_number < 1:
        raise ValueError("session numbers start at 1")
    if session_number == 1 or session_number == planned_sessions:
        return True
    if schedule.cadence == "every_session":
        return True
    return (session_number - 1) % schedule.n == 0


def missed(
    schedule: MeasureSchedule,
    held_session_numbers: Iterable[int],
    measured_session_numbers: Iterable[int],
    planned_sessions: int | None = None,
) -> list[int]:
    """Return the held sessions where measures were due but not taken, in order."""
    measured = set(measured_session_numbers)
    return sorted(
        number
        for number in set(held_session_numbers)
        if number not in measured and is_due(schedule, number, planned_sessions)
    )
