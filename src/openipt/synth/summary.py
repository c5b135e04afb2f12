"""The course summary columns of a synthetic course, computed by the rules the app uses.

The assessments area keeps these columns with `openipt.assessments.summary.compute`; here
the same inputs go to the same rule functions (`measures.outcomes.talking_therapies` and
`instrument_outcome`, `measures.schedule.is_due`, `assessments.tracking.reasons`), because
calling `compute` on a million courses would cost a query each. tests/synth checks that both
agree course by course.

Expected-change curves depend on every finished course of the service, so "not on track"
by the curves is settled at the end of a run (`CurveData` and `off_track_courses`).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openipt.assessments import conf, tracking
from openipt.assessments.series import ScoreRow, attended_sessions, scores_of
from openipt.courses.models import Course
from openipt.measures import OutcomeSettings, get_instrument
from openipt.measures.outcomes import instrument_outcome, talking_therapies
from openipt.measures.schedule import MeasureSchedule, is_due
from openipt.measures.trajectories import ALL, ExpectedCurves, fit_expected_curves
from openipt.protocol.formats import get_format
from openipt.synth.plan import CoursePlan, ScorePlan


@dataclass(frozen=True)
class CourseView:
    """The course fields the tracking rules read."""

    status: str
    format: str
    planned_sessions: int | None


@dataclass
class Rules:
    """The service's rules, read once per run, and a memo of their (pure) results."""

    settings: OutcomeSettings
    schedule: MeasureSchedule
    wanted: tuple[str, ...]
    memo: dict[tuple[int | None, ...], tuple[dict[str, bool | None], dict[str, Any]]] = field(
        default_factory=dict
    )

    @classmethod
    def current(cls) -> Rules:
        return cls(conf.outcome_settings(), conf.schedule(), conf.scheduled_instruments())

    def outcomes(self, *key: int | None) -> tuple[dict[str, bool | None], dict[str, Any]]:
        """Return the NHS TT classes and the PHQ-9 outcome for (first, last, ...) scores."""
        found = self.memo.get(key)
        if found is None:
            phq9_first, phq9_last, gad7_first, gad7_last, sessions = key
            classes = talking_therapies(
                phq9_first, phq9_last, gad7_first, gad7_last, sessions, self.settings
            )
            phq9 = instrument_outcome(get_instrument("phq9"), phq9_first, phq9_last, self.settings)
            found = self.memo[key] = (classes, phq9)
        return found


def score_rows(course_id: int, plan: CoursePlan, code: str, ids: list[int]) -> list[ScoreRow]:
    """Return one instrument's scores as the assessments area's rows (ids given in order)."""
    return [
        ScoreRow(pk, course_id, s.instrument, "", s.pattern.total, "", s.at, None, s.number)
        for pk, s in zip(ids, plan.scores, strict=True)
        if s.instrument == code
    ]


def summarise(
    plan: CoursePlan, open_alerts: int, rules: Rules, series: dict[str, list[ScoreRow]]
) -> dict[str, Any]:
    """Return every summary column of the course (not on track by the rule only)."""
    phq9, gad7 = plan.series("phq9"), plan.series("gad7")
    attended = plan.attended
    ended = plan.status != "active"
    classes, phq9_outcome = rules.outcomes(
        _first(phq9), _last(phq9, paired=True), _first(gad7), _last(gad7, paired=True),
        len(attended) if ended else None,
    )  # fmt: skip
    reasons = []
    if not ended:
        view = CourseView(plan.status, plan.format, plan.planned)
        current = max((s.number for s in attended), default=0)
        reasons = tracking.reasons(view, series, current, rules.settings, use_curves=False)  # type: ignore[arg-type]
    return {
        "sessions_attended": len(attended),
        "last_session_on": attended[-1].day if attended else None,
        "phq9_first": _first(phq9),
        "phq9_last": _last(phq9),
        "gad7_first": _first(gad7),
        "gad7_last": _last(gad7),
        "latest_score_at": max((s.at for s in plan.scores), default=None),
        "open_alerts": open_alerts,
        "measure_due": _measure_due(plan, rules),
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


def _measure_due(plan: CoursePlan, rules: Rules) -> bool:
    """Due next session, as `assessments.summary.measure_status` decides it.

    Every synthetic score belongs to a held session, so nothing counts for the next one yet
    and every wanted instrument is still to give.
    """
    if plan.status != "active" or not rules.wanted:
        return False
    planned = plan.planned or get_format(plan.format).default_sessions
    next_session = max((s.number for s in plan.attended), default=0) + 1
    return is_due(rules.schedule, next_session, planned)


def _first(scores: list[ScorePlan]) -> int | None:
    return scores[0].pattern.total if scores else None


def _last(scores: list[ScorePlan], *, paired: bool = False) -> int | None:
    if not scores or (paired and len(scores) < 2):
        return None
    return scores[-1].pattern.total


# --- expected-change curves ------------------------------------------------------------------


@dataclass
class CurveData:
    """Finished courses' scores by (baseline band, session, total), enough to fit the curves.

    `fit_expected_curves` needs only the multiset of totals per band and session, so the
    counts stand in for millions of rows; `courses` mirrors the app's count of finished,
    ended courses (the curves' cache key and minimum).
    """

    courses: int = 0
    counts: dict[str, Counter[tuple[str, int, int]]] = field(default_factory=dict)

    def add(self, plan: CoursePlan) -> None:
        """Count a finished, ended course's scores."""
        self.courses += 1
        for code in tracking.TRACKED:
            scores = plan.series(code)
            if scores:
                self._count(
                    code, scores[0].pattern.total, [(s.number, s.pattern.total) for s in scores]
                )

    def _count(self, code: str, baseline: int, points: list[tuple[int | None, int]]) -> None:
        """Count one course's points, as `tracking._fit` reads them (last per session wins)."""
        by_session = {number: total for number, total in points if number}
        if not by_session:
            return
        band = get_instrument(code).band_for(baseline)
        group = band.code if band else ALL
        counter = self.counts.setdefault(code, Counter())
        for number, total in by_session.items():
            counter[(group, number, total)] += 1

    @classmethod
    def from_database(cls, chunk: int = 2000) -> CurveData:
        """Count every finished, ended course in the database, a chunk of courses at a time.

        The app fits its curves in one query over all finished courses; reading them in
        chunks gives the same counts without a query parameter per course.
        """
        data = cls()
        finished = Course.objects.filter(finished=True).exclude(status=Course.Status.ACTIVE)
        ids = list(finished.order_by("pk").values_list("pk", flat=True))
        data.courses = len(ids)
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            sessions = attended_sessions(part)
            for code in tracking.TRACKED:
                for rows in scores_of(part, sessions, instrument=code).values():
                    data._count(code, rows[0].total, [(r.session_number, r.total) for r in rows])
        return data

    def fit(self) -> dict[str, ExpectedCurves | None]:
        """Return the curves the app would fit now, per tracked instrument."""
        minimum = conf.curves_min_courses()
        fitted: dict[str, ExpectedCurves | None] = {}
        for code in tracking.TRACKED:
            if self.courses < minimum:
                fitted[code] = None
                continue
            counter = self.counts.get(code, Counter())
            courses = (
                (group, [(number, total)])
                for (group, number, total), n in sorted(counter.items())
                for _ in range(n)
            )
            fitted[code] = fit_expected_curves(courses, get_instrument(code), min_courses=minimum)
        return fitted


@dataclass(frozen=True)
class ActiveCourse:
    """What the curve check needs of an active course once the run is over."""

    pk: int
    view: CourseView
    current: int
    series: dict[str, list[ScoreRow]]  # first and last score of each instrument


def compact(series: dict[str, list[ScoreRow]]) -> dict[str, list[ScoreRow]]:
    """Keep the first and last score: all that `tracking.reasons` reads of a series."""
    return {code: rows if len(rows) < 3 else [rows[0], rows[-1]] for code, rows in series.items()}


@contextlib.contextmanager
def _curves_in_force(curves: dict[str, ExpectedCurves | None]) -> Iterator[None]:
    """Let `tracking.reasons` read these curves instead of fitting them from the database."""
    original = tracking.service_curves
    tracking.service_curves = curves.get  # type: ignore[assignment]
    try:
        yield
    finally:
        tracking.service_curves = original  # type: ignore[assignment]


def off_track_courses(
    active: list[ActiveCourse], curves: dict[str, ExpectedCurves | None], rules: Rules
) -> list[int]:
    """Return the ids of active courses that the curves (and the rule) flag as not on track."""
    if not any(curves.values()):
        return []
    with _curves_in_force(curves):
        return [
            course.pk
            for course in active
            if tracking.reasons(course.view, course.series, course.current, rules.settings)  # type: ignore[arg-type]
        ]
