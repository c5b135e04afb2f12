"""Not-on-track decision support: a mid-course review rule and expected-change curves.

Both are prompts for a clinician, never verdicts. (a) The review rule: no reliable improvement
by the middle of the planned sessions -> flag for a review of the focus, medication and
alternatives; the trigger point is a product choice (ipt.md §11.2 item 8, §10 item 6).
(b) Expected curves in the manner of the OQ expected-recovery curves: from a service's own
finished courses, the typical score at each session for each baseline-severity group, with a
tolerance band; a score outside the band on the "worse" side is off track.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from openipt.measures.change import reliable_change
from openipt.measures.schema import Direction, Instrument
from openipt.measures.settings import OutcomeSettings

Baseline = str | int
Course = tuple[Baseline, Sequence[tuple[int, int]]]
CurveMethod = Literal["percentile", "mean_sd"]
ALL = "all"  # the single group of an instrument without bands


def review_session(planned_sessions: int, settings: OutcomeSettings | None = None) -> int:
    """Return the session at which the not-on-track review falls (the middle by default)."""
    if planned_sessions < 1:
        raise ValueError("planned_sessions must be at least 1")
    settings = settings or OutcomeSettings()
    return max(1, math.ceil(planned_sessions * settings.review_fraction))


def needs_review(
    instrument: Instrument,
    baseline: int | None,
    latest: int | None,
    session_number: int,
    planned_sessions: int,
    settings: OutcomeSettings | None = None,
) -> bool | None:
    """Return True when the review point is reached without reliable improvement.

    False before the review point; None when there is no pair of scores or no reliable-change
    rule for the instrument.
    """
    if session_number < review_session(planned_sessions, settings):
        return False
    if baseline is None or latest is None:
        return None
    status = reliable_change(instrument, baseline, latest, settings)
    return None if status is None else status != "improved"


@dataclass(frozen=True)
class CurvePoint:
    """Expected score at one session for one baseline group, with its tolerance band."""

    session_number: int
    n: int
    expected: float
    lower: float
    upper: float


@dataclass(frozen=True)
class ExpectedCurves:
    """Expected-change curves per baseline group (band code, or "all" without bands)."""

    instrument: str
    version: str
    direction: Direction
    method: CurveMethod
    min_courses: int
    groups: Mapping[str, Mapping[int, CurvePoint]]
    bands: tuple[tuple[str, int, int], ...]

    def group_of(self, baseline: Baseline) -> str | None:
        """Return the group of a baseline given as a band code or a total."""
        if isinstance(baseline, str):
            return baseline
        if not self.bands:
            return ALL
        for code, low, high in self.bands:
            if low <= baseline <= high:
                return code
        return None


def fit_expected_curves(
    courses: Iterable[Course],
    instrument: Instrument,
    min_courses: int = 20,
    method: CurveMethod = "percentile",
    lower_pct: float = 10,
    upper_pct: float = 90,
    k: float = 1.0,
) -> ExpectedCurves:
    """Fit per-group, per-session expected scores from finished courses.

    A session point exists only when at least `min_courses` courses of the group have a score
    there. "percentile": the median with the lower/upper percentiles; "mean_sd": the mean
    +- k standard deviations. Deterministic: no sampling, no randomness.
    """
    if min_courses < 2:
        raise ValueError("min_courses must be at least 2")
    if not 0 <= lower_pct < upper_pct <= 100:
        raise ValueError("need 0 <= lower_pct < upper_pct <= 100")
    shell = ExpectedCurves(
        instrument=instrument.code,
        version=instrument.version,
        direction=instrument.direction,
        method=method,
        min_courses=min_courses,
        groups={},
        bands=tuple((b.code, b.min, b.max) for b in instrument.bands),
    )
    samples: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for baseline, points in courses:
        group = shell.group_of(baseline)
        if group is None:
            raise ValueError(f"baseline {baseline!r} is outside the {instrument.name} range")
        for session_number, total in dict(points).items():  # the last score per session wins
            samples[group][session_number].append(total)
    groups = {
        group: {
            number: _point(number, scores, method, lower_pct, upper_pct, k)
            for number, scores in sorted(by_session.items())
            if len(scores) >= min_courses
        }
        for group, by_session in sorted(samples.items())
    }
    return replace(shell, groups=groups)


def _point(
    number: int, scores: list[int], method: CurveMethod, low: float, high: float, k: float
) -> CurvePoint:
    if method == "mean_sd":
        mean = statistics.fmean(scores)
        spread = k * statistics.stdev(scores)
        return CurvePoint(number, len(scores), mean, mean - spread, mean + spread)
    ordered = sorted(scores)
    return CurvePoint(
        number,
        len(scores),
        _percentile(ordered, 50),
        _percentile(ordered, low),
        _percentile(ordered, high),
    )


def _percentile(ordered: list[int], pct: float) -> float:
    """Return the linearly interpolated percentile of sorted data (numpy's default rule)."""
    position = (len(ordered) - 1) * pct / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def off_track(
    curves: ExpectedCurves, baseline: Baseline, session_number: int, score: int
) -> bool | None:
    """Return True when a score is worse than the tolerance band; None with too little data."""
    group = curves.group_of(baseline)
    point = curves.groups.get(group, {}).get(session_number) if group else None
    if point is None:
        return None
    if curves.direction == "higher_is_worse":
        return score > point.upper
    return score < point.lower
