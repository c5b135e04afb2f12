"""Keep a course's summary columns true to its scores, sessions and alerts.

Caseloads and dashboards read these columns instead of scanning scores, so every write that
changes an input updates them in the same transaction. The two frequent writes, a new
attended session (the course engine) and a new score (services), update them incrementally:
from the row just written, the course row's columns and a few facts read with the course's
locked row (`lock`), in one query, instead of reloading every session and score. Anything
else (a deletion, an edit, a backdated row, a course saved, a settings change through
`openipt summaries refresh`) recomputes them in full with `refresh_course_summary`. Both
paths reduce a course to the same `Inputs` and compute the columns from them with
`compute_from`, so an incremental update gives what the full recomputation gives.
A per-transaction memo skips a second, identical full refresh.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from openipt.assessments import conf, tracking
from openipt.assessments.models import Administration, Alert
from openipt.assessments.series import (
    ScoreRow,
    SeriesEnds,
    SessionRow,
    attended_sessions,
    by_instrument,
    ends_of,
    scores_of,
    with_counted_session,
)
from openipt.courses.models import Course, Session
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
# The instruments with columns of their own, and those the not-on-track rule follows.
SUMMARISED = tuple(dict.fromkeys(("phq9", "gad7", *tracking.TRACKED)))


@dataclass(frozen=True)
class MeasureStatus:
    """Where a course stands with its schedule: what is due next and what was missed."""

    next_session: int
    due: bool
    instruments_due: tuple[str, ...]  # still to give for the next session
    missed: tuple[int, ...]  # held sessions where a due measure was not taken
    # Each scheduled questionnaire with the held sessions that were due it and lack it:
    # "GAD-7 not taken at sessions 2, 3".
    missed_by: tuple[tuple[str, tuple[int, ...]], ...] = ()


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
    by_code = (
        (code, tuple(missed(plan, held, [n for n, c in done.items() if n and code in c], planned)))
        for code in wanted
    )
    return MeasureStatus(
        next_session=next_session,
        due=due_next,
        instruments_due=missing if due_next else (),
        missed=tuple(missed(plan, held, measured, planned)),
        missed_by=tuple((code, sessions) for code, sessions in by_code if sessions),
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


@dataclass(frozen=True)
class Inputs:
    """All that the summary columns are computed from, besides the course's own fields."""

    held: int  # attended sessions
    current: int  # the highest attended session number, 0 before the first
    last_on: datetime.date | None  # the date of the latest attended session
    ends: Mapping[str, SeriesEnds]  # of each summarised instrument that has scores
    latest_score_at: datetime.datetime | None
    open_alerts: int
    pending: frozenset[str]  # scheduled instruments with a score that counts for the next session
    pending_any: bool  # any score counts for the next session
    at_current: frozenset[str]  # scheduled instruments with a score for the current session
    at_current_any: bool  # any score counts for the current session


def inputs_of(data: CourseData, open_alerts: int) -> Inputs:
    """Reduce a course's sessions and scores to the inputs of the summary."""
    wanted = set(conf.scheduled_instruments())
    series = data.series
    current = max((s.number for s in data.sessions), default=0)
    done: dict[int | None, set[str]] = {}
    for score in data.scores:
        done.setdefault(score.session_number, set()).add(score.instrument)
    now = done.get(current, set()) if current else set()
    return Inputs(
        held=len(data.sessions),
        current=current,
        last_on=max((s.date for s in data.sessions), default=None),
        ends={code: e for code in SUMMARISED if (e := ends_of(series.get(code, [])))},
        latest_score_at=max((s.completed_at for s in data.scores), default=None),
        open_alerts=open_alerts,
        pending=frozenset(done.get(None, set()) & wanted),
        pending_any=None in done,
        at_current=frozenset(now & wanted),
        at_current_any=bool(now),
    )


def compute(course: Course, data: CourseData, open_alerts: int) -> dict[str, Any]:
    """Return the value of every summary column for this course."""
    return compute_from(course, inputs_of(data, open_alerts))


def compute_from(course: Course, inputs: Inputs) -> dict[str, Any]:
    """Return the value of every summary column from the course's inputs."""
    settings = conf.outcome_settings()
    phq9, gad7 = inputs.ends.get("phq9"), inputs.ends.get("gad7")
    ended = course.status != Course.Status.ACTIVE
    classes = talking_therapies(
        _first_of(phq9), _last_of(phq9, paired=True), _first_of(gad7), _last_of(gad7, paired=True),
        inputs.held if ended else None,
        settings,
    )  # fmt: skip
    phq9_outcome = instrument_outcome(
        get_instrument("phq9"), _first_of(phq9), _last_of(phq9, paired=True), settings
    )
    due, missed_now = _measure_flags(course, inputs)
    reasons = tracking.reasons_for(course, inputs.ends, inputs.current, settings)
    return {
        "sessions_attended": inputs.held,
        "phq9_first": _first_of(phq9),
        "phq9_last": _last_of(phq9),
        "gad7_first": _first_of(gad7),
        "gad7_last": _last_of(gad7),
        "latest_score_at": inputs.latest_score_at,
        "open_alerts": inputs.open_alerts,
        "measure_due": due,
        "measure_missed": missed_now,
        "not_on_track": bool(reasons),
        "caseness": classes["caseness"],
        "finished": bool(classes["finished"]),
        "recovered": classes["recovery"],
        "reliably_improved": classes["reliable_improvement"],
        "reliably_deteriorated": classes["reliable_deterioration"],
        "reliably_recovered": classes["reliable_recovery"],
        "responded": phq9_outcome["response"],
        "remitted": phq9_outcome["remission"],
    }


def _measure_flags(course: Course, inputs: Inputs) -> tuple[bool, bool]:
    """Return (due next session, missed at the current session), as `measure_status` says."""
    plan, wanted = conf.schedule(), set(conf.scheduled_instruments())
    planned = tracking.planned_sessions(course)
    active = course.status == Course.Status.ACTIVE
    due = active and is_due(plan, inputs.current + 1, planned) and bool(wanted - inputs.pending)
    measured = wanted <= inputs.at_current if wanted else inputs.at_current_any
    missed_now = inputs.current >= 1 and is_due(plan, inputs.current, planned) and not measured
    return due, missed_now


def _first(scores: list[ScoreRow]) -> int | None:
    return scores[0].total if scores else None


def _last(scores: list[ScoreRow], *, paired: bool = False) -> int | None:
    """Return the latest total; with `paired`, only when there is a baseline before it."""
    if not scores or (paired and len(scores) < 2):
        return None
    return scores[-1].total


def _first_of(ends: SeriesEnds | None) -> int | None:
    return ends.first if ends else None


def _last_of(ends: SeriesEnds | None, *, paired: bool = False) -> int | None:
    """Return the latest total; with `paired`, only when there is a baseline before it."""
    if ends is None or (paired and ends.count < 2):
        return None
    return ends.last


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
        # Open alerts belong to the client: every course of theirs shows them.
        open_alerts = Alert.objects.filter(
            course__client_id=row.client_id, status=Alert.Status.OPEN
        ).count()
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


# Incremental updates: the course's locked row is read with the facts below, the new row
# is written, and the inputs are moved on by that row alone.

_kept: ContextVar[frozenset[int]] = ContextVar("openipt_summary_kept", default=frozenset())


@contextmanager
def kept_by_caller(course_id: int) -> Iterator[None]:
    """Tell the Session receiver that the caller updates this course's summary itself."""
    token = _kept.set(_kept.get() | {course_id})
    try:
        yield
    finally:
        _kept.reset(token)


def is_kept(course_id: int) -> bool:
    """Return True inside `kept_by_caller` for this course."""
    return course_id in _kept.get()


def lock(
    course: Course, queryset: QuerySet[Course] | None = None, *, day: datetime.date | None = None
) -> Course:
    """Return the course row locked for this transaction, read with the summary's facts.

    One query: the facts are subqueries of the locked read. `day` adds the attended session
    a score completed on that day counts for (for `score_added`). PostgreSQL evaluates those
    subqueries in the snapshot taken when the statement began, before it waited for the
    lock, so a write committed meanwhile shows in the row but not in the facts. Every write
    that changes the facts also updates the course row (`touch`), so a row newer than the
    statement's own snapshot of it is read again, now under the lock: one more query, only
    when two writes to one course meet.
    """
    query = (queryset if queryset is not None else Course.objects.all()).select_for_update()
    seen = Course.objects.filter(pk=OuterRef("pk")).values("updated_at")[:1]
    query = query.annotate(**facts(day=day), summary_seen=Subquery(seen))
    row = query.get(pk=course.pk)
    if row.summary_seen != row.updated_at:  # type: ignore[attr-defined]
        row = query.get(pk=course.pk)
    return row


def touch(row: Course) -> None:
    """Mark the course row changed by a write that changes no summary column (see `lock`)."""
    row.updated_at = timezone.now()
    Course.objects.filter(pk=row.pk).update(updated_at=row.updated_at)


def facts(*, day: datetime.date | None = None) -> dict[str, Any]:
    """Return, as annotations of a course query, what the columns cannot tell the rules."""
    attended = Session.objects.filter(
        course=OuterRef("pk"), attendance=Session.Attendance.ATTENDED
    ).order_by()
    scores = Administration.objects.filter(course=OuterRef("pk")).order_by()
    counted = with_counted_session(scores)
    current = OuterRef("summary_current")
    found: dict[str, Any] = {
        "summary_held": _count(attended),
        "summary_current": Subquery(attended.order_by("-number").values("number")[:1]),
        "summary_last_on": Subquery(attended.order_by("-date").values("date")[:1]),
        "summary_pending_any": Exists(counted.filter(counted_for__isnull=True)),
        "summary_now_any": Exists(counted.filter(counted_for=current)),
    }
    for code in SUMMARISED:
        last = counted.filter(instrument=code).order_by("-completed_at", "-id")
        found[f"summary_{code}_count"] = _count(scores.filter(instrument=code))
        found[f"summary_{code}_at"] = Subquery(last.values("counted_for")[:1])
    for index, code in enumerate(conf.scheduled_instruments()):
        of = counted.filter(instrument=code)
        found[f"summary_pending_{index}"] = Exists(of.filter(counted_for__isnull=True))
        found[f"summary_now_{index}"] = Exists(of.filter(counted_for=current))
    if day is not None:
        first = attended.filter(date__gte=day).order_by("date", "number")
        found["summary_from_day"] = Subquery(first.values("number")[:1])
    return found


def _count(query: QuerySet[Any]) -> Coalesce:
    return Coalesce(Subquery(query.values("course").annotate(n=Count("pk")).values("n")), 0)


def inputs_of_row(row: Course) -> Inputs | None:
    """Return the inputs of a course read by `lock`; None when its columns disagree with its
    rows (a stale column), which only a full recomputation repairs."""
    if row.summary_held != row.sessions_attended:  # type: ignore[attr-defined]
        return None
    ends = {}
    for code in SUMMARISED:
        count = getattr(row, f"summary_{code}_count")
        first, last = getattr(row, f"{code}_first"), getattr(row, f"{code}_last")
        if (count == 0) != (first is None) or (first is None) != (last is None):
            return None
        if count:
            ends[code] = SeriesEnds(first, last, count, getattr(row, f"summary_{code}_at"))
    if ends and row.latest_score_at is None:
        return None
    wanted = conf.scheduled_instruments()
    return Inputs(
        held=row.summary_held,  # type: ignore[attr-defined]
        current=row.summary_current or 0,  # type: ignore[attr-defined]
        last_on=row.summary_last_on,  # type: ignore[attr-defined]
        ends=ends,
        latest_score_at=row.latest_score_at,
        open_alerts=row.open_alerts,
        pending=frozenset(c for i, c in enumerate(wanted) if getattr(row, f"summary_pending_{i}")),
        pending_any=row.summary_pending_any,  # type: ignore[attr-defined]
        at_current=frozenset(c for i, c in enumerate(wanted) if getattr(row, f"summary_now_{i}")),
        at_current_any=row.summary_now_any,  # type: ignore[attr-defined]
    )


def after_session(before: Inputs, number: int, day: datetime.date) -> Inputs | None:
    """Return the inputs once an attended session is added; None when that is not exact.

    Exact when the session comes last (highest number, latest date) and no score is dated
    after it: the scores that counted for the next session now count for this one, and so
    does the last score of a series that counted for the next session.
    """
    latest = before.latest_score_at
    if number <= before.current or (before.last_on is not None and day < before.last_on):
        return None
    if latest is not None and timezone.localdate(latest) > day:
        return None
    ends = {
        code: end if end.last_session is not None else replace(end, last_session=number)
        for code, end in before.ends.items()
    }
    return replace(
        before,
        held=before.held + 1,
        current=number,
        last_on=day,
        ends=ends,
        pending=frozenset(),
        pending_any=False,
        at_current=before.pending,
        at_current_any=before.pending_any,
    )


def after_score(
    before: Inputs, code: str, total: int, at: datetime.datetime, counted_for: int | None
) -> Inputs | None:
    """Return the inputs once a score is added; None when it is not the latest score."""
    if before.latest_score_at is not None and at < before.latest_score_at:
        return None  # backdated: it may fall anywhere in the series
    ends = dict(before.ends)
    if code in SUMMARISED:
        old = ends.get(code)
        count = old.count + 1 if old else 1
        ends[code] = SeriesEnds(old.first if old else total, total, count, counted_for)
    mine = frozenset({code} & set(conf.scheduled_instruments()))
    later = counted_for is None
    now = counted_for is not None and counted_for == before.current
    return replace(
        before,
        ends=ends,
        latest_score_at=at,
        pending=before.pending | mine if later else before.pending,
        pending_any=before.pending_any or later,
        at_current=before.at_current | mine if now else before.at_current,
        at_current_any=before.at_current_any or now,
    )


def counted_for(row: Course, session: Session | None, at: datetime.datetime) -> int | None:
    """Return the session a new score counts for (the rule of `series.attribute`), from a
    course read by `lock` with the score's day."""
    attended = Session.Attendance.ATTENDED
    if session is not None and session.attendance == attended and session.course_id == row.pk:
        return session.number
    last_on = row.summary_last_on  # type: ignore[attr-defined]
    if last_on is None or timezone.localdate(at) > last_on:
        return None
    return row.summary_from_day  # type: ignore[attr-defined]


def session_added(row: Course, session: Session, course: Course, **columns: Any) -> list[str]:
    """Update the columns for a new attended session, written after `row` was read by
    `lock`; `columns` are other columns of the course to write in the same UPDATE."""
    before = inputs_of_row(row)
    after = before and after_session(before, session.number, session.date)
    if after is None:
        return _in_full(row, course, columns)
    return _apply(row, after, course, columns)


def score_added(row: Course, score: Administration, course: Course) -> list[str]:
    """Update the columns for a new score, written after `row` was read by `lock` with the
    score's day."""
    before = inputs_of_row(row)
    counts_for = counted_for(row, score.session, score.completed_at)
    after = before and after_score(
        before, score.instrument, score.total, score.completed_at, counts_for
    )
    if after is None:
        return _in_full(row, course, {})
    return _apply(row, after, course, {})


def _apply(row: Course, inputs: Inputs, course: Course, columns: dict[str, Any]) -> list[str]:
    """Write the columns computed from the inputs, and `columns`, in one UPDATE."""
    values = compute_from(row, inputs) | columns
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    row.updated_at = timezone.now()  # even when nothing changed: see `lock`
    Course.objects.filter(pk=row.pk).update(**changed, updated_at=row.updated_at)
    for name, value in changed.items():
        setattr(row, name, value)
    forget(row.pk)
    _copy(row, course)
    for name in columns:
        setattr(course, name, getattr(row, name))
    return sorted(changed)


def _in_full(row: Course, course: Course, columns: dict[str, Any]) -> list[str]:
    """Write `columns`, then recompute the summary from every session and score."""
    row.updated_at = timezone.now()  # even when nothing changes: see `lock`
    Course.objects.filter(pk=row.pk).update(**columns, updated_at=row.updated_at)
    for name, value in columns.items():
        setattr(row, name, value)
        setattr(course, name, value)
    changed = refresh_course_summary(course, force=True)
    _copy(course, row)
    return sorted(set(changed) | set(columns))
