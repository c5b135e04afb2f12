"""Not-on-track decision support: the mid-course rule and the service's own expected curves.

Both only prompt a review of the focus, medication and alternatives (ipt.md §10 item 6,
§11.2 item 8); neither is a verdict. The rules themselves live in `measures.trajectories`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.cache import cache

from openipt.assessments import conf
from openipt.assessments.series import (
    ScoreRow,
    SeriesEnds,
    attended_sessions,
    ends_of,
    scores_of,
)
from openipt.courses.models import Course
from openipt.measures import OutcomeSettings, get_instrument
from openipt.measures.trajectories import (
    ExpectedCurves,
    fit_expected_curves,
    needs_review,
    off_track,
    review_session,
)
from openipt.protocol import ProtocolError, get_format

TRACKED = ("phq9", "gad7")  # instruments with a reliable-change rule by default
CURVES_TIMEOUT = 6 * 60 * 60  # curves move slowly: refit a few times a day


@dataclass(frozen=True)
class Reason:
    """Why a course is flagged, in words a clinician can act on."""

    instrument: str
    kind: str  # "rule" or "curve"
    text: str


def planned_sessions(course: Course) -> int | None:
    """Return the contracted number of sessions, else the format's default, else None."""
    if course.planned_sessions:
        return course.planned_sessions
    try:
        return get_format(course.format).default_sessions
    except ProtocolError:
        return None


def reasons(
    course: Course,
    series: dict[str, list[ScoreRow]],
    current_session: int,
    settings: OutcomeSettings,
    *,
    use_curves: bool = True,
) -> list[Reason]:
    """Return why an active course is not on track; [] when it is, or cannot be judged."""
    ends = {code: found for code, rows in series.items() if (found := ends_of(rows)) is not None}
    return reasons_for(course, ends, current_session, settings, use_curves=use_curves)


def reasons_for(
    course: Course,
    ends: Mapping[str, SeriesEnds],
    current_session: int,
    settings: OutcomeSettings,
    *,
    use_curves: bool = True,
) -> list[Reason]:
    """Return the reasons from the ends of each series: all the rules read of a series.

    The summary keeps the ends up to date without reloading the scores, so both paths share
    this one rule.
    """
    planned = planned_sessions(course)
    if course.status != Course.Status.ACTIVE or course.format == "maintenance" or not planned:
        return []
    found: list[Reason] = []
    curves_of = _curves_lookup() if use_curves else None
    for code in TRACKED:
        end = ends.get(code)
        if end is None:
            continue
        instrument = get_instrument(code)
        name = instrument.name.split(" (")[0]
        first, last = end.first, end.last
        cutoff = settings.caseness_cutoff(instrument)
        if cutoff is not None and first < cutoff:
            continue  # started below caseness: reliable improvement is hardly possible
        if end.count >= 2 and needs_review(
            instrument, first, last, current_session, planned, settings
        ):
            point = review_session(planned, settings)
            text = (
                f"{name}: no reliable improvement by session {point} of {planned} "
                f"({first} at the start, {last} now)."
            )
            found.append(Reason(code, "rule", text))
        at = end.last_session
        if not (curves_of and at and end.count >= 2):
            continue  # the curves are looked up only when they can be used
        curves = curves_of(code)
        if curves and off_track(curves, first, at, last):
            text = (
                f"{name}: {last} at session {at} is worse "
                "than this service's finished courses that started at the same severity."
            )
            found.append(Reason(code, "curve", text))
    return found


def curves_key(code: str) -> str:
    """Return the cache key of an instrument's curves under the current settings."""
    return f"openipt:curves:{code}:{conf.curves_min_courses()}:{conf.curves_sample()}"


def service_curves(code: str) -> ExpectedCurves | None:
    """Return expected-change curves from the service's finished courses, once enough exist.

    The fit reads the scores of the most recent finished courses (a sample of bounded size,
    `OPENIPT_EXPECTED_CURVES_SAMPLE`), and is cached for hours: it is asked for on every
    course page and score saved, so its cost must not grow with the service.
    """
    return _curves_lookup()(code)


def _curves_lookup() -> Callable[[str], ExpectedCurves | None]:
    """Return a lookup of curves by instrument that reads the finished courses at most once.

    A young service (too few finished courses) is not cached, so the next finished course
    counts at once; one lookup asked for several instruments then costs one query, not one
    per instrument.
    """
    minimum, sample = conf.curves_min_courses(), conf.curves_sample()
    finished: list[int] | None = None

    def lookup(code: str) -> ExpectedCurves | None:
        nonlocal finished
        key = curves_key(code)
        cached = cache.get(key)
        if cached is not None:
            return cached[0]
        if finished is None:
            done = Course.objects.filter(finished=True).exclude(status=Course.Status.ACTIVE)
            finished = list(done.order_by("-pk").values_list("pk", flat=True)[:sample])
        if len(finished) < minimum:
            return None
        curves = _fit(code, finished, minimum)
        cache.set(key, (curves,), CURVES_TIMEOUT)
        return curves

    return lookup


def _fit(code: str, course_ids: list[int], minimum: int) -> ExpectedCurves:
    sessions = attended_sessions(course_ids)
    data = []
    for rows in scores_of(course_ids, sessions, instrument=code).values():
        points = [(r.session_number, r.total) for r in rows if r.session_number]
        if points:
            data.append((rows[0].total, points))
    return fit_expected_curves(data, get_instrument(code), min_courses=minimum)
