"""Not-on-track support: the mid-course review rule and expected-change curves."""

from __future__ import annotations

import random

import pytest

from openipt.measures import OutcomeSettings, get_instrument
from openipt.measures.trajectories import (
    CurvePoint,
    fit_expected_curves,
    needs_review,
    off_track,
    review_session,
)


def test_it_places_the_review_at_the_middle_of_the_planned_sessions():
    assert review_session(16) == 8
    assert review_session(12) == 6
    assert review_session(5) == 3
    assert review_session(16, OutcomeSettings(review_fraction=0.25)) == 4


def test_it_flags_no_reliable_improvement_by_the_middle():
    phq9 = get_instrument("phq9")
    assert needs_review(phq9, 18, 16, session_number=7, planned_sessions=16) is False  # too soon
    assert needs_review(phq9, 18, 16, session_number=8, planned_sessions=16) is True
    assert needs_review(phq9, 18, 12, session_number=8, planned_sessions=16) is False  # -6
    assert needs_review(phq9, 18, 24, session_number=9, planned_sessions=16) is True  # worse
    assert needs_review(phq9, 18, None, session_number=8, planned_sessions=16) is None
    assert needs_review(get_instrument("phq2"), 6, 6, 8, 16) is None  # no rule for the PHQ-2


def _courses():
    # Three moderate-baseline courses; hand-checked percentiles below.
    return [
        ("moderate", [(1, 12), (4, 10), (8, 6)]),
        (13, [(1, 13), (4, 9), (8, 5)]),  # 13 is in the PHQ-9 moderate band
        ("moderate", [(1, 14), (4, 8)]),
        ("severe", [(1, 22), (4, 20)]),
    ]


def test_it_fits_percentile_curves_per_baseline_band():
    curves = fit_expected_curves(_courses(), get_instrument("phq9"), min_courses=3)
    assert sorted(curves.groups) == ["moderate", "severe"]
    assert curves.groups["severe"] == {}  # one course is too little data
    moderate = curves.groups["moderate"]
    assert sorted(moderate) == [1, 4]  # session 8 has only two courses
    # Session 1 scores 12, 13, 14: median 13; 10th pct 12 + 0.2 * 1 = 12.2; 90th 13.8.
    assert moderate[1] == CurvePoint(1, 3, 13, pytest.approx(12.2), pytest.approx(13.8))
    assert moderate[4] == CurvePoint(4, 3, 9, pytest.approx(8.2), pytest.approx(9.8))


def test_it_fits_mean_and_sd_curves():
    curves = fit_expected_curves(_courses(), get_instrument("phq9"), 3, method="mean_sd", k=1)
    # Session 4 scores 10, 9, 8: mean 9, sample SD 1.
    assert curves.groups["moderate"][4] == CurvePoint(4, 3, 9, 8, 10)


def test_it_judges_off_track_on_the_worse_side_only():
    curves = fit_expected_curves(_courses(), get_instrument("phq9"), min_courses=3)
    assert off_track(curves, "moderate", 4, 10) is True  # above 9.8
    assert off_track(curves, 12, 4, 9) is False
    assert off_track(curves, "moderate", 4, 0) is False  # much better is never off track
    assert off_track(curves, "moderate", 8, 20) is None  # too little data at session 8
    assert off_track(curves, "severe", 1, 27) is None
    assert off_track(curves, "mild", 1, 27) is None


def test_it_judges_off_track_low_on_a_higher_is_better_scale():
    courses = [("poor", [(1, 8), (4, v)]) for v in (10, 12, 14, 16, 18)]
    curves = fit_expected_curves(courses, get_instrument("who5"), min_courses=5)
    assert off_track(curves, 8, 4, 10) is True  # below the 10th percentile (10.8)
    assert off_track(curves, 8, 4, 25) is False


def test_it_groups_everything_together_without_bands():
    courses = [(v, [(1, v), (2, v - 1)]) for v in (3, 4, 5)]
    curves = fit_expected_curves(courses, get_instrument("phq2"), min_courses=3)
    assert list(curves.groups) == ["all"]
    assert curves.groups["all"][2].expected == 3


def test_it_is_deterministic_and_order_independent():
    phq9 = get_instrument("phq9")
    rng = random.Random(7)
    courses = [
        (rng.randint(10, 14), [(s, rng.randint(0, 27)) for s in (1, 4, 8)]) for _ in range(60)
    ]
    shuffled = courses[:]
    rng.shuffle(shuffled)
    assert fit_expected_curves(courses, phq9) == fit_expected_curves(shuffled, phq9)


def test_it_refuses_too_small_a_minimum_or_an_out_of_range_baseline():
    with pytest.raises(ValueError, match="min_courses"):
        fit_expected_curves([], get_instrument("phq9"), min_courses=1)
    with pytest.raises(ValueError, match="outside"):
        fit_expected_curves([(40, [(1, 3)])], get_instrument("phq9"))
