"""Keep a course's summary columns true to its scores, sessions and alerts.

Caseloads and dashboards read these columns instead of scanning scores, so every write that
changes an input refreshes them in the same transaction: a new score (services), a session
saved or deleted (signal receivers), a course saved (receiver) or the course engine calling
`refresh_course_summary`. A per-transaction memo skips a second, identical refresh.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from openipt.assessments import conf, tracking
from openipt.assessments.models import Alert
from openipt.assessments.series import (
    ScoreRow,
    SessionRow,
    attended_sessions,
    by_instrument,
    scores_of,
)
from openipt.courses.models import Course
from openipt.measures import OutcomeSettings, get_instrument
from openipt.measures.outcomes import instrument_outcome, talking_therapies
from openipt.measures.schedule import is_due, missed

SUMMARY_FIELDS = (
    "sessions_attended", "phq9_first", "phq9_last", "gad7_first", "gad7_last",
    "latest_score_at", "open_alerts", "measure_due", "measure_missed", "not_on_track",
    "caseness", "finished", "recovered", "reliably_improved", "reliably_deteriorated",
    "reliably_recovered", "responded", "remitted",
)  # fmt: skip
KEY_FIELDS = ("status", "planned_sessions", "format", *SUMMARY_FIELDS)


@dataclass(frozen=True)
class MeasureStatus:
    """Where a course stands with its schedule: what is due next and what was missed."""

    next_session: int
    due: bool
    instruments_due: tuple[str, ...]  # still to give for the next session
    missed: tuple[int, ...]  # held sessions where a due measure was not taken


@dataclass(frozen=True)
class CourseData:
    """Everything the summary is computed from, loaded in two queries."""

    sessions: list[SessionRow]
    scores: list[ScoreRow]

    @property
    def series(self) -> dict[str, list[ScoreRow]]:
        return by_instrument(self.scores)


def load(course: Course) -> CourseData:
    """Load the course's attended sessions and its scores."""
    sessions = attended_sessions([course.pk]).get(course.pk, [])
    scores = scores_of([course.pk], {course.pk: sessions}).get(course.pk, [])
    return CourseData(sessions, scores)


def measure_status(course: Course, data: CourseData | None = None) -> MeasureStatus:
    """Return whether measures are due next session and which held sessions missed them."""
    data = data or load(course)
    plan = conf.schedule()
    wanted = conf.scheduled_instruments()
    planned = tracking.planned_sessions(course)
    done: dict[int | None, set[str]] = {}
    for score in data.scores:
        done.setdefault(score.session_number, set()).add(score.instrument)
    measured = [n for n, codes in done.items() if n is not None and set(wanted) <= codes]
    held = [s.number for s in data.sessions]
    next_session = max(held, default=0) + 1
    missing = tuple(code for code in wanted if code not in done.get(None, set()))
    active = course.status == Course.Status.ACTIVE
    due_next = active and is_due(plan, next_session, planned) and bool(missing)
    return MeasureStatus(
        next_session=next_session,
        due=due_next,
        instruments_due=missing if due_next else (),
        missed=tuple(missed(plan, held, measured, planned)),
    )


def statuses_for(courses: Iterable[Course]) -> dict[int, MeasureStatus]:
    """Return the measure status of many courses in two queries (caseload, dashboards)."""
    courses = list(courses)
    ids = [course.pk for course in courses]
    sessions = attended_sessions(ids)
    scores = scores_of(ids, sessions)
    return {
        course.pk: measure_status(
            course, CourseData(sessions.get(course.pk, []), scores.get(course.pk, []))
        )
        for course in courses
    }


def talking_therapies_for(
    course: Course, data: CourseData, settings: OutcomeSettings
) -> dict[str, bool | None]:
    """Return the NHS Talking Therapies classes; `finished` needs the course to have ended."""
    series = data.series
    phq9, gad7 = series.get("phq9", []), series.get("gad7", [])
    ended = course.status != Course.Status.ACTIVE
    return talking_therapies(
        _first(phq9), _last(phq9, paired=True), _first(gad7), _last(gad7, paired=True),
        len(data.sessions) if ended else None,
        settings,
    )  # fmt: skip


def compute(course: Course, data: CourseData, open_alerts: int) -> dict[str, Any]:
    """Return the value of every summary column for this course."""
    series = data.series
    settings = conf.outcome_settings()
    phq9, gad7 = series.get("phq9", []), series.get("gad7", [])
    classes = talking_therapies_for(course, data, settings)
    phq9_outcome = instrument_outcome(
        get_instrument("phq9"), _first(phq9), _last(phq9, paired=True), settings
    )
    current = max((s.number for s in data.sessions), default=0)
    status = measure_status(course, data)
    return {
        "sessions_attended": len(data.sessions),
        "phq9_first": _first(phq9),
        "phq9_last": _last(phq9),
        "gad7_first": _first(gad7),
        "gad7_last": _last(gad7),
        "latest_score_at": max((s.completed_at for s in data.scores), default=None),
        "open_alerts": open_alerts,
        "measure_due": status.due,
        "measure_missed": bool(status.missed) and status.missed[-1] == current,
        "not_on_track": bool(tracking.reasons(course, series, current, settings)),
        "caseness": classes["caseness"],
        "finished": bool(classes["finished"]),
        "recovered": classes["recovery"],
        "reliably_improved": classes["reliable_improvement"],
        "reliably_deteriorated": classes["reliable_deterioration"],
        "reliably_recovered": classes["reliable_recovery"],
        "responded": phq9_outcome["response"],
        "remitted": phq9_outcome["remission"],
    }


def _first(scores: list[ScoreRow]) -> int | None:
    return scores[0].total if scores else None


def _last(scores: list[ScoreRow], *, paired: bool = False) -> int | None:
    """Return the latest total; with `paired`, only when there is a baseline before it."""
    if not scores or (paired and len(scores) < 2):
        return None
    return scores[-1].total


# The memo lives as long as the outermost transaction, so a refresh done by the Session
# receiver is not repeated when the course engine calls refresh_course_summary next.
_memo: weakref.WeakKeyDictionary[Any, dict[int, tuple[Any, ...]]] = weakref.WeakKeyDictionary()


def _outer_block() -> Any | None:
    blocks = getattr(connection, "atomic_blocks", None)
    return blocks[0] if blocks else None


def forget(course_id: int) -> None:
    """Drop the memo of a course because one of its inputs changed."""
    block = _outer_block()
    if block is not None and block in _memo:
        _memo[block].pop(course_id, None)


def refresh_course_summary(course: Course, *, force: bool = False) -> list[str]:
    """Recompute the course's summary columns in the caller's transaction; return the changed.

    Call it after recording sessions or ending a course. Saved sessions trigger it through a
    signal too; a second call in the same transaction with nothing changed does no work.
    The caller's `course` object gets the new values, so a later `course.save()` keeps them.
    """
    with transaction.atomic():
        row = Course.objects.select_for_update().get(pk=course.pk)
        block = _outer_block()
        key = tuple(getattr(row, name) for name in KEY_FIELDS)
        memo = _memo.setdefault(block, {}) if block is not None else {}
        if not force and memo.get(row.pk) == key:
            _copy(row, course)
            return []
        open_alerts = Alert.objects.filter(course=row, status=Alert.Status.OPEN).count()
        values = compute(row, load(row), open_alerts)
        changed = {name: v for name, v in values.items() if getattr(row, name) != v}
        if changed:
            Course.objects.filter(pk=row.pk).update(**changed, updated_at=timezone.now())
            for name, value in changed.items():
                setattr(row, name, value)
        memo[row.pk] = tuple(getattr(row, name) for name in KEY_FIELDS)
    _copy(row, course)
    return sorted(changed)


def _copy(row: Course, course: Course) -> None:
    for name in SUMMARY_FIELDS:
        setattr(course, name, getattr(row, name))
