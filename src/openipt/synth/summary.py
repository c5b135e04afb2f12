"""The course summary columns of a synthetic course, computed by the rules the app uses.

The assessments area keeps these columns with `openipt.assessments.summary.compute`; here
the same inputs go to the same rule functions (`measures.outcomes.talking_therapies` and
`instrument_outcome`, `measures.schedule.is_due`, `assessments.tracking.reasons`), because
calling `compute` on a million courses would cost a query each. tests/synth checks that both
agree course by course.

Expected-change curves depend on the service's finished courses, so "not on track" by the
curves is settled at the end of a run (`off_track_courses`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openipt.assessments import conf, tracking
from openipt.assessments.series import ScoreRow
from openipt.measures import OutcomeSettings, get_instrument
from openipt.measures.outcomes import instrument_outcome, talking_therapies
from openipt.measures.schedule import MeasureSchedule, is_due
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
        "measure_missed": _measure_missed(plan, rules),
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


def _measure_missed(plan: CoursePlan, rules: Rules) -> bool:
    """The last held session was due a rating and lacks one, as `measure_status` decides."""
    if not plan.attended or not rules.wanted:
        return False
    last = max(s.number for s in plan.attended)
    planned = plan.planned or get_format(plan.format).default_sessions
    taken = {s.instrument for s in plan.scores if s.number == last}
    return is_due(rules.schedule, last, planned) and not set(rules.wanted) <= taken


def _first(scores: list[ScorePlan]) -> int | None:
    return scores[0].pattern.total if scores else None


def _last(scores: list[ScorePlan], *, paired: bool = False) -> int | None:
    if not scores or (paired and len(scores) < 2):
        return None
    return scores[-1].pattern.total


# --- expected-change curves ------------------------------------------------------------------


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


def off_track_courses(active: list[ActiveCourse], rules: Rules) -> list[int]:
    """Return the ids of active courses that the service's curves (or the rule) flag.

    The curves are the app's own (`tracking.service_curves`, a bounded sample of the most
    recent finished courses), fitted once when the run's rows are all written.
    """
    if not any(tracking.service_curves(code) for code in tracking.TRACKED):
        return []
    return [
        course.pk
        for course in active
        if tracking.reasons(course.view, course.series, course.current, rules.settings)  # type: ignore[arg-type]
    ]
