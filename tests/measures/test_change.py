"""Change rules, each against a hand-worked example."""

from __future__ import annotations

import math

import pytest

from openipt.measures import OutcomeSettings, get_instrument
from openipt.measures.change import (
    improvement,
    mid_met,
    rc_critical,
    rci,
    reliable_change,
    remission_phq9,
    response,
    standard_error_of_difference,
)


def test_it_counts_a_fall_of_exactly_half_as_response():
    assert response(20, 10) is True  # 10/20 = 50 %
    assert response(20, 11) is False  # 45 %
    assert response(15, 7) is True  # 8/15 = 53 %
    assert response(15, 8) is False  # 7/15 = 47 %
    assert response(5, 2) is True  # 60 %
    assert response(10, 14) is False  # worse


def test_it_has_no_response_from_a_zero_baseline_or_on_a_higher_is_better_scale():
    assert response(0, 0) is None
    assert response(10, 20, "higher_is_better") is None


def test_it_takes_a_configured_response_fraction():
    assert response(20, 14, fraction=0.3) is True  # 6/20 = 30 %
    assert response(20, 15, fraction=0.3) is False


def test_it_calls_remission_below_5():
    assert remission_phq9(4) is True
    assert remission_phq9(5) is False


def test_it_checks_the_minimal_important_difference_in_both_directions():
    assert mid_met(12, 7, 5) is True  # 5 points better
    assert mid_met(12, 8, 5) is False
    assert mid_met(12, 17, 5) is False  # 5 points worse is not improvement
    assert mid_met(40, 50, 10, "higher_is_better") is True
    assert mid_met(12, 0, None) is None


def test_it_signs_improvement_by_direction():
    assert improvement(20, 14, "higher_is_worse") == 6
    assert improvement(20, 14, "higher_is_better") == -6


def test_it_reproduces_the_worked_rci_example():
    # measures.md §12: SD 5.0, r 0.84 -> SEM 2.0, S_diff 2.83, RC_crit about 5.54.
    assert standard_error_of_difference(5.0, 0.84) == pytest.approx(2 * math.sqrt(2))
    assert rc_critical(5.0, 0.84) == pytest.approx(5.5437, abs=1e-4)
    assert rci(20, 14, 5.0, 0.84) == pytest.approx(-2.1213, abs=1e-4)  # a drop of 6: reliable
    assert rci(20, 15, 5.0, 0.84) == pytest.approx(-1.7678, abs=1e-4)  # a drop of 5: not


def test_it_refuses_impossible_rci_parameters():
    with pytest.raises(ValueError, match="sd must be positive"):
        rci(10, 5, 0, 0.8)
    with pytest.raises(ValueError, match="reliability"):
        rci(10, 5, 5, 1.0)


def test_it_uses_the_nhs_tt_fixed_thresholds_by_default():
    phq9, gad7 = get_instrument("phq9"), get_instrument("gad7")
    assert reliable_change(phq9, 20, 14) == "improved"  # -6
    assert reliable_change(phq9, 20, 15) == "no_reliable_change"  # -5
    assert reliable_change(phq9, 10, 16) == "deteriorated"  # +6
    assert reliable_change(gad7, 12, 8) == "improved"  # -4
    assert reliable_change(gad7, 12, 9) == "no_reliable_change"
    assert reliable_change(gad7, 5, 9) == "deteriorated"


def test_it_uses_the_rci_when_sd_is_configured():
    phq9 = get_instrument("phq9")
    settings = OutcomeSettings(sd_pre={"phq9": 5.0})  # reliability from the file: 0.89
    # S_diff = sqrt(2) * 5 * sqrt(0.11) = 2.345; a drop of 5 gives RCI -2.13: reliable.
    assert reliable_change(phq9, 20, 15, settings) == "improved"
    assert reliable_change(phq9, 20, 16, settings) == "no_reliable_change"  # RCI -1.71
    assert reliable_change(phq9, 20, 15, settings, method="fixed") == "no_reliable_change"
    custom = OutcomeSettings(sd_pre={"phq9": 5.0}, reliability={"phq9": 0.84})
    assert reliable_change(phq9, 20, 14, custom) == "improved"
    assert reliable_change(phq9, 20, 15, custom) == "no_reliable_change"


def test_it_reverses_the_sign_for_a_higher_is_better_scale():
    who5 = get_instrument("who5")
    settings = OutcomeSettings(sd_pre={"who5": 5.0}, reliability={"who5": 0.84})
    assert reliable_change(who5, 10, 16, settings) == "improved"
    assert reliable_change(who5, 16, 10, settings) == "deteriorated"
    fixed = OutcomeSettings(reliable_change_thresholds={"who5": 3})
    assert reliable_change(who5, 10, 13, fixed) == "improved"


def test_it_returns_none_when_no_rule_is_configured():
    assert reliable_change(get_instrument("who5"), 10, 20) is None
    assert reliable_change(get_instrument("phq2"), 6, 0) is None
    assert reliable_change(get_instrument("gad7"), 15, 5, method="rci") is None  # no reliability
