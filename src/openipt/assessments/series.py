"""A course's scores and sessions as plain rows, and which session each score belongs to.

A score entered in a session is linked to it. A score completed outside one (by the client
before the appointment, say) counts for the first attended session on or after its date; one
completed after the latest attended session counts for the next session.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from openipt.assessments.models import Administration
from openipt.courses.models import Session


@dataclass(frozen=True)
class SessionRow:
    id: int
    number: int
    date: datetime.date


@dataclass(frozen=True)
class ScoreRow:
    id: int
    course_id: int
    instrument: str
    version: str
    total: int
    band: str
    completed_at: datetime.datetime
    session_id: int | None
    session_number: int | None  # linked or attributed; None = counts for the next session

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.completed_at)


SCORE_FIELDS = (
    "id", "course_id", "instrument", "version", "total", "band", "completed_at", "session_id",
)  # fmt: skip


def attended_sessions(course_ids: Iterable[int]) -> dict[int, list[SessionRow]]:
    """Return each course's attended sessions in number order (one query)."""
    rows: dict[int, list[SessionRow]] = defaultdict(list)
    query = (
        Session.objects.filter(course_id__in=list(course_ids), attendance="attended")
        .order_by("course_id", "number", "id")
        .values_list("course_id", "id", "number", "date")
    )
    for course_id, session_id, number, day in query:
        rows[course_id].append(SessionRow(session_id, number, day))
    return rows


def scores_of(
    course_ids: Iterable[int],
    sessions: dict[int, list[SessionRow]],
    instrument: str | None = None,
) -> dict[int, list[ScoreRow]]:
    """Return each course's scores in time order, each with its session number (one query)."""
    query = Administration.objects.filter(course_id__in=list(course_ids))
    if instrument is not None:
        query = query.filter(instrument=instrument)
    result: dict[int, list[ScoreRow]] = defaultdict(list)
    rows = query.order_by("course_id", "completed_at", "id").values_list(*SCORE_FIELDS)
    for pk, course_id, code, version, total, band, completed_at, session_id in rows:
        result[course_id].append(
            ScoreRow(pk, course_id, code, version, total, band, completed_at, session_id, None)
        )
    return {cid: attribute(rows, sessions.get(cid, [])) for cid, rows in result.items()}


def attribute(scores: list[ScoreRow], sessions: list[SessionRow]) -> list[ScoreRow]:
    """Return the scores with the session number each one counts for."""
    by_id = {s.id: s.number for s in sessions}
    ordered = sorted(sessions, key=lambda s: (s.date, s.number))
    dates = [s.date for s in ordered]
    out = []
    for score in scores:
        number = by_id.get(score.session_id) if score.session_id else None
        if number is None:
            index = bisect.bisect_left(dates, score.day)
            number = ordered[index].number if index < len(ordered) else None
        out.append(_with_number(score, number))
    return out


def _with_number(score: ScoreRow, number: int | None) -> ScoreRow:
    return ScoreRow(
        score.id,
        score.course_id,
        score.instrument,
        score.version,
        score.total,
        score.band,
        score.completed_at,
        score.session_id,
        number,
    )


@dataclass(frozen=True)
class SeriesEnds:
    """All the summary rules read of one instrument's series: its ends and its length."""

    first: int
    last: int
    count: int
    last_session: int | None  # the session the last score counts for


def ends_of(scores: list[ScoreRow]) -> SeriesEnds | None:
    """Return the ends of a series in time order (None for no scores)."""
    if not scores:
        return None
    last = scores[-1]
    return SeriesEnds(scores[0].total, last.total, len(scores), last.session_number)


def with_counted_session(scores: QuerySet[Administration]) -> QuerySet[Any]:
    """Annotate each score with `counted_for`, in SQL: the rule of `attribute`.

    A score linked to an attended session of its course counts for it; any other counts for
    the first attended session (by date, then number) on or after its local day; NULL when
    there is none yet (it counts for the next session).
    """
    linked = Case(
        When(
            session__attendance=Session.Attendance.ATTENDED,
            session__course_id=F("course_id"),
            then=F("session__number"),
        )
    )
    on_or_after = Session.objects.filter(
        course_id=OuterRef("course_id"),
        attendance=Session.Attendance.ATTENDED,
        date__gte=OuterRef("local_day"),
    ).order_by("date", "number")
    return scores.annotate(local_day=TruncDate("completed_at")).annotate(
        counted_for=Coalesce(linked, Subquery(on_or_after.values("number")[:1]))
    )


def by_instrument(scores: Iterable[ScoreRow]) -> dict[str, list[ScoreRow]]:
    """Group scores by instrument code, keeping time order."""
    grouped: dict[str, list[ScoreRow]] = defaultdict(list)
    for score in scores:
        grouped[score.instrument].append(score)
    return dict(grouped)
