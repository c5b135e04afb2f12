"""Course outcomes and the NHS Talking Therapies definitions, against worked examples."""

from __future__ import annotations

import pytest

from openipt.measures import OutcomeSettings, get_instrument
from openipt.measures.outcomes import instrument_outcome, talking_therapies

OUTCOME_KEYS = [
    "baseline", "latest", "change", "response", "remission",
    "reliable_improvement", "reliable_deterioration", "mid_met",
]  # fmt: skip
TT_KEYS = [
    "caseness", "finished", "recovery",
    "reliable_improvement", "reliable_deterioration", "reliable_recovery",
]  # fmt: skip


def test_it_reports_a_phq9_course_outcome():
    outcome = instrument_outcome(get_instrument("phq9"), 18, 4)
    assert list(outcome) == OUTCOME_KEYS
    assert outcome == {
        "baseline": 18, "latest": 4, "change": -14, "response": True, "remission": True,
        "reliable_improvement": True, "reliable_deterioration": False, "mid_met": True,
    }  # fmt: skip


def test_it_reports_a_small_phq9_change():
    outcome = instrument_outcome(get_instrument("phq9"), 14, 10)
    assert (outcome["change"], outcome["response"], outcome["remission"]) == (-4, False, False)
    assert (outcome["reliable_improvement"], outcome["mid_met"]) == (False, False)


def test_it_leaves_remission_to_the_phq9():
    outcome = instrument_outcome(get_instrument("gad7"), 16, 3)
    assert outcome["remission"] is None
    assert (outcome["response"], outcome["reliable_improvement"], outcome["mid_met"]) == (
        True, True, None,
    )  # fmt: skip


def test_it_handles_a_higher_is_better_scale():
    outcome = instrument_outcome(get_instrument("who5"), 8, 20)
    assert outcome["change"] == 12
    assert outcome["response"] is None  # the sources define response as a fall
    assert outcome["reliable_improvement"] is None  # no rule configured for the WHO-5
    settings = OutcomeSettings(reliable_change_thresholds={"who5": 3})
    assert instrument_outcome(get_instrument("who5"), 8, 20, settings)["reliable_improvement"]


def test_it_returns_none_for_change_rules_with_a_single_score():
    outcome = instrument_outcome(get_instrument("phq9"), 12, None)
    assert outcome == dict.fromkeys(OUTCOME_KEYS) | {"baseline": 12}
    assert instrument_outcome(get_instrument("phq9"), None, 3)["remission"] is True


def test_it_refuses_a_total_outside_the_range():
    with pytest.raises(ValueError, match="latest: 28 is not a PHQ-9"):
        instrument_outcome(get_instrument("phq9"), 12, 28)
    with pytest.raises(ValueError, match="baseline: True"):
        instrument_outcome(get_instrument("phq9"), True, 3)  # type: ignore[arg-type]


def test_it_recovers_a_finished_course_at_caseness():
    result = talking_therapies(15, 8, 9, 5, 6)
    assert list(result) == TT_KEYS
    assert result == {
        "caseness": True, "finished": True, "recovery": True,
        "reliable_improvement": True, "reliable_deterioration": False, "reliable_recovery": True,
    }  # fmt: skip


def test_it_separates_recovery_from_reliable_recovery():
    # PHQ-9 11 -> 9 and GAD-7 7 -> 6: below both cut-offs, but neither fall is reliable.
    result = talking_therapies(11, 9, 7, 6, 5)
    assert (result["recovery"], result["reliable_improvement"]) == (True, False)
    assert result["reliable_recovery"] is False


def test_it_defines_recovery_only_for_a_finished_course_at_caseness():
    assert talking_therapies(15, 5, 9, 5, 1)["recovery"] is None  # one session: not finished
    assert talking_therapies(15, 5, 9, 5, 1)["finished"] is False
    not_case = talking_therapies(8, 2, 6, 2, 6)
    assert (not_case["caseness"], not_case["recovery"]) == (False, None)
    assert not_case["reliable_improvement"] is True  # PHQ-9 -6, GAD-7 -4


def test_it_applies_the_default_combination_rule():
    # PHQ-9 improves reliably (-6), GAD-7 deteriorates reliably (+4).
    mixed = talking_therapies(16, 10, 6, 10, 8)
    assert (mixed["reliable_improvement"], mixed["reliable_deterioration"]) == (False, True)
    assert mixed["recovery"] is False  # still at caseness on both
    lenient = OutcomeSettings(reliable_improvement_rule="any_improves")
    assert talking_therapies(16, 10, 6, 10, 8, lenient)["reliable_improvement"] is True
    strict = OutcomeSettings(reliable_improvement_rule="all_improve")
    assert talking_therapies(16, 9, 12, 10, 8, strict)["reliable_improvement"] is False
    both = OutcomeSettings(reliable_deterioration_rule="all_deteriorate")
    assert talking_therapies(16, 10, 6, 10, 8, both)["reliable_deterioration"] is False


def test_it_uses_the_phq9_alone_when_gad7_is_missing():
    result = talking_therapies(12, 4, None, None, 4)
    assert result == {
        "caseness": True, "finished": True, "recovery": True,
        "reliable_improvement": True, "reliable_deterioration": False, "reliable_recovery": True,
    }  # fmt: skip
    assert talking_therapies(12, 4, 9, None, 4)["recovery"] is True  # unpaired GAD-7 ignored


def test_it_cannot_judge_recovery_when_only_an_unpaired_gad7_was_at_caseness():
    result = talking_therapies(8, 3, 10, None, 4)
    assert (result["caseness"], result["recovery"], result["reliable_recovery"]) == (
        True, None, None,
    )  # fmt: skip


def test_it_returns_none_where_a_single_score_cannot_say():
    result = talking_therapies(12, None, 9, None, 1)
    assert result == dict.fromkeys(TT_KEYS) | {"caseness": True, "finished": False}
    assert talking_therapies(None, None, None, None, None) == dict.fromkeys(TT_KEYS)


def test_it_takes_a_configured_minimum_of_treatment_sessions():
    settings = OutcomeSettings(min_treatment_sessions=3)
    assert talking_therapies(15, 5, None, None, 2, settings)["finished"] is False
    assert talking_therapies(15, 5, None, None, 2)["finished"] is True


def test_it_refuses_bad_settings():
    with pytest.raises(ValueError, match="sd_pre"):
        OutcomeSettings(sd_pre={"phq9": 0})
    with pytest.raises(ValueError, match="reliable_change_thresholds"):
        OutcomeSettings(reliable_change_thresholds={"phq9": 0})
    with pytest.raises(ValueError, match="min_treatment_sessions"):
        OutcomeSettings(min_treatment_sessions=0)
