"""Draw the closeness circle and the timeline from stored rows with openipt.charts.

The SVG comes from the pure chart functions, so pages and the PDF letter show the same
picture; every caller still shows the data as a table beside it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from openipt.charts import CirclePerson, ScorePoint, TimelineEvent, closeness_circle, timeline
from openipt.courses.models import Course
from openipt.interpersonal.models import LifeEvent, Person
from openipt.interpersonal.support import course_facts

log = logging.getLogger(__name__)
LOST = ("deceased", "ended")


def centre_label(course: Course) -> str:
    """Return the client's first name for the centre of the circle [S54]."""
    words = (course.client.name or "").split()
    return words[0] if words else "Client"


def circle_rows(people: Iterable[Person]) -> list[dict[str, Any]]:
    """Return people as the plain rows snapshots store, so both draw the same way."""
    from openipt.interpersonal.services import snapshot_row

    return [snapshot_row(p) for p in people]


def circle_svg(course: Course, rows: Sequence[dict[str, Any]], title: str) -> str:
    """Render a closeness circle from snapshot-style rows."""
    people = tuple(
        CirclePerson(
            label=str(row.get("label", "")),
            ring=int(row.get("ring", 4)),
            conflict=str(row.get("conflict") or "none"),
            support=row.get("support") or None,
            lost=row.get("status") in LOST,
        )
        for row in rows
    )
    return _circle(people, centre_label(course), title)


# Rendering takes a good fraction of a second; the same input gives the same bytes, so
# a small per-process cache makes a page shown again (or the course page) cheap.
@functools.lru_cache(maxsize=64)
def _circle(people: tuple[CirclePerson, ...], centre: str, title: str) -> str:
    return closeness_circle(people, centre_label=centre, title=title)


@functools.lru_cache(maxsize=64)
def _timeline(
    marks: tuple[TimelineEvent, ...],
    onset: dt.date | None,
    scores: tuple[ScorePoint, ...],
    title: str,
) -> str:
    return timeline(marks, onset=onset, scores=scores, title=title)


def snapshot_changes(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return each person's ring at intake and at termination, matched by their id."""
    first = {row.get("id"): row for row in before}
    last = {row.get("id"): row for row in after}
    rows = []
    for key in list(dict.fromkeys([*first, *last])):
        a, b = first.get(key), last.get(key)
        ring_a, ring_b = (a or {}).get("ring"), (b or {}).get("ring")
        if a is None:
            change = "Added since intake"
        elif b is None:
            change = "Not in the later circle"
        elif ring_a == ring_b:
            change = "Same ring"
        else:
            change = "Closer" if (ring_b or 0) < (ring_a or 0) else "Further away"
        rows.append(
            {"label": (b or a or {}).get("label", ""), "before": ring_a, "after": ring_b,
             "change": change}
        )  # fmt: skip
    return rows


def phq9_points(course: Course) -> list[ScorePoint]:
    """Return the course's PHQ-9 totals if the assessments app records them, else none."""
    try:
        from openipt.assessments.models import Administration
    except ImportError:
        return []
    try:
        rows = _phq9_rows(Administration, course)
    except Exception:
        log.warning("PHQ-9 scores could not be read for course %s", course.pk, exc_info=True)
        return []
    return rows


def _phq9_rows(model: Any, course: Course) -> list[ScorePoint]:
    """Read PHQ-9 totals through the field names the assessments app uses."""
    names = {f.name for f in model._meta.get_fields()}
    query = model.objects.filter(course=course)
    if "instrument" in names:
        field = model._meta.get_field("instrument")
        if field.is_relation:
            query = query.filter(instrument__code__iexact="phq9") | query.filter(
                instrument__code__iexact="phq-9"
            )
        else:
            query = query.filter(instrument__in=("phq9", "phq-9", "PHQ-9", "PHQ9"))
    elif "instrument_code" in names:
        query = query.filter(instrument_code__in=("phq9", "phq-9", "PHQ-9", "PHQ9"))
    else:
        return []
    if "total" not in names:
        return []
    when = next((n for n in ("completed_at", "taken_at", "created_at") if n in names), None)
    if when is None:
        return []
    query = query.exclude(total__isnull=True)
    if "status" in names:
        query = query.exclude(status__in=("pending", "started", "cancelled", "expired"))
    session = "session__number" if "session" in names else None
    values = ("total", when) + ((session,) if session else ())
    points = []
    for row in query.order_by(when).values_list(*values)[:200]:
        stamp = row[1]
        day = stamp.date() if isinstance(stamp, dt.datetime) else stamp
        points.append(ScorePoint(row[2] if session else None, day, int(row[0])))
    return points


# Events further back than this from the onset (or the latest event) are listed beside the
# chart, not drawn: one event years earlier squeezed the months around onset into a pile of
# labels. A layout choice, not a clinical one.
FAR_BEFORE = dt.timedelta(days=3 * 365)


def near_and_far(
    events: Sequence[LifeEvent], onset: dt.date | None
) -> tuple[list[LifeEvent], list[LifeEvent]]:
    """Split events into those drawn on the timeline and those listed as long before."""
    if not events:
        return [], []
    cut = (onset or max(e.date for e in events)) - FAR_BEFORE
    return [e for e in events if e.date >= cut], [e for e in events if e.date < cut]


def timeline_svg(
    course: Course, events: Sequence[LifeEvent], scores: Sequence[ScorePoint], title: str
) -> str:
    """Render the timeline of the events near the onset (`near_and_far`), the onset and any
    PHQ-9 totals on one axis."""
    near, _ = near_and_far(events, course.symptom_onset)
    marks = tuple(
        TimelineEvent(date=e.date, kind=e.get_kind_display(), label=e.label) for e in near
    )
    return _timeline(marks, course.symptom_onset, tuple(scores), title)


def panel_charts(course: Course) -> dict[str, str]:
    """Return the panel's circle and timeline, which the page fetches when they are opened."""
    people, events = course_facts(course)
    if not (people or events):
        return {}
    return {
        "circle_svg": circle_svg(course, circle_rows(people), "Closeness circle now"),
        "timeline_svg": timeline_svg(
            course, events, phq9_points(course), "Life events and symptom onset"
        ),
    }
