"""Each rule refuses with a clear sentence; test names carry the source tag."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openipt.protocol.formats import Phase, PhaseOverrides, all_formats, get_format
from openipt.protocol.rules import (
    AcuteEndDecision,
    FocusChoice,
    FocusOptions,
    ProtocolError,
    check_acute_end,
    check_contract,
    check_focus,
    check_renegotiation,
    check_session_allowed,
    ending_due,
)


@contextmanager
def refuses(code: str, match: str) -> Iterator[None]:
    """Expect ProtocolError with ``code`` and a full-sentence message matching ``match``."""
    with pytest.raises(ProtocolError, match=match) as caught:
        yield
    assert caught.value.code == code
    assert str(caught.value).endswith(".")


# --- contract [S1], [S33] ---


def test_it_accepts_a_typical_standard_contract_s1() -> None:
    assert check_contract(get_format("standard"), 16, "weekly") == []


def test_it_warns_outside_the_typical_range_s1() -> None:
    (notice,) = check_contract(get_format("standard"), 20, "weekly")
    assert notice.code == "outside_typical_range"
    assert "usually has 12 to 16 sessions" in notice.message


def test_it_refuses_a_contract_outside_the_allowed_bounds_s25() -> None:
    with refuses("sessions_out_of_bounds", "allows 1 to 6 sessions; 8 is outside"):
        check_contract(get_format("ipc"), 8, "weekly")


def test_it_refuses_a_frequency_the_format_does_not_allow_s33() -> None:
    with refuses("frequency_not_allowed", "can be weekly, not 'monthly'"):
        check_contract(get_format("standard"), 16, "monthly")


def test_it_refuses_a_boolean_session_count() -> None:
    with refuses("not_a_count", "whole number"):
        check_contract(get_format("standard"), True, "weekly")


# --- contract before middle-phase work [S1], [S33] ---


def test_it_refuses_middle_phase_work_without_a_contract_s1_s33() -> None:
    with refuses("contract_required", "Agree the treatment contract .* before middle-phase"):
        check_session_allowed(Phase.MIDDLE, contract_set=False)


def test_it_allows_initial_work_before_the_contract_s33() -> None:
    check_session_allowed("initial", contract_set=False)
    check_session_allowed("termination", contract_set=True)


# --- focus [S1], [S132], [S43], [S44], [S46] ---


def test_it_refuses_an_empty_focus_s1() -> None:
    with refuses("focus_missing", "Choose a problem area"):
        check_focus([])


def test_it_accepts_a_single_area_s1() -> None:
    assert check_focus([FocusChoice("grief")]) == []


def test_it_refuses_a_second_area_without_a_reason_s132() -> None:
    with refuses("second_area_needs_reason", "Record why a second problem area"):
        check_focus([FocusChoice("grief"), FocusChoice("role_transition")])


def test_it_accepts_a_second_area_with_a_reason_s132() -> None:
    choices = [FocusChoice("grief"), FocusChoice("role_transition", reason="retired too")]
    assert check_focus(choices) == []


def test_it_refuses_a_second_area_when_the_service_allows_one_s132() -> None:
    choices = [FocusChoice("grief"), FocusChoice("role_transition", reason="x")]
    with refuses("focus_too_many", "at most 1 problem area."):
        check_focus(choices, FocusOptions(allow_second_area=False))


def test_it_refuses_three_areas_s132() -> None:
    choices = [FocusChoice("grief"), FocusChoice("role_transition", reason="x")]
    choices.append(FocusChoice("interpersonal_deficits", deficits_confirmed=True))
    with refuses("focus_too_many", "at most 2 problem areas"):
        check_focus(choices)


def test_it_refuses_both_dispute_and_transition_s43() -> None:
    choices = [
        FocusChoice("role_dispute", dispute_stage="impasse"),
        FocusChoice("role_transition", reason="moved too"),
    ]
    with refuses("dispute_and_transition", "focus on only one of them"):
        check_focus(choices)


def test_it_refuses_a_dispute_without_its_stage_s44() -> None:
    with refuses("dispute_stage_required", "renegotiation, impasse or dissolution"):
        check_focus([FocusChoice("role_dispute")])


def test_it_refuses_an_unknown_dispute_stage_s44() -> None:
    with refuses("dispute_stage_required", "Say which stage"):
        check_focus([FocusChoice("role_dispute", dispute_stage="truce")])


def test_it_returns_the_stage_note_for_a_dispute_s44() -> None:
    (notice,) = check_focus([FocusChoice("role_dispute", dispute_stage="renegotiation")])
    assert notice.code == "dispute_stage"


def test_it_refuses_unconfirmed_deficits_s46() -> None:
    with refuses("deficits_not_confirmed", "no grief, role dispute or role transition fits"):
        check_focus([FocusChoice("interpersonal_deficits")])


def test_it_returns_the_poorer_prognosis_note_for_deficits_s46() -> None:
    (notice,) = check_focus([FocusChoice("interpersonal_deficits", deficits_confirmed=True)])
    assert notice.code == "deficits_prognosis"
    assert notice.sources == ("S46",)


def test_it_refuses_duplicate_areas_s1() -> None:
    with refuses("focus_duplicate", "only once"):
        check_focus([FocusChoice("grief"), FocusChoice("grief", reason="again")])


def test_it_refuses_an_unknown_area_s1() -> None:
    with refuses("unknown_area", "Unknown problem area"):
        check_focus([FocusChoice("sadness")])


# --- ending [S33] ---


def test_it_raises_the_ending_four_sessions_before_in_standard_s33() -> None:
    fmt = get_format("standard")
    assert ending_due(fmt, 16, 11) is False
    assert ending_due(fmt, 16, 12) is True


def test_it_honours_an_ipt_g_style_override_of_five_s14() -> None:
    overrides = PhaseOverrides(raise_ending_when_remaining=5)
    assert ending_due(get_format("standard"), 20, 15, overrides) is True
    assert ending_due(get_format("standard"), 20, 14, overrides) is False


def test_it_refuses_negative_sessions_done_s33() -> None:
    with refuses("not_a_count", "cannot be negative"):
        ending_due(get_format("standard"), 16, -1)


@given(
    code=st.sampled_from([f.code for f in all_formats()]),
    planned=st.integers(1, 60),
    done=st.integers(0, 80),
)
def test_it_never_withdraws_the_ending_once_due_s33(code: str, planned: int, done: int) -> None:
    fmt = get_format(code)
    if ending_due(fmt, planned, done):
        assert ending_due(fmt, planned, done + 1)


# --- end of acute treatment [S5], [S34], [S35] ---


def test_it_refuses_discharge_without_a_relapse_plan_s14_s36_s37() -> None:
    with refuses("relapse_plan_required", "warning signs and relapse plan"):
        check_acute_end(AcuteEndDecision.DISCHARGE_WITH_RELAPSE_PLAN, maintenance_discussed=True)


def test_it_accepts_discharge_with_a_relapse_plan_s36() -> None:
    decision = "discharge_with_relapse_plan"
    assert check_acute_end(decision, relapse_plan=True, maintenance_discussed=True) == []


def test_it_refuses_maintenance_without_a_frequency_s34() -> None:
    with refuses("maintenance_frequency_required", "how often maintenance sessions"):
        check_acute_end("maintenance_contract", maintenance_months=24)


def test_it_refuses_maintenance_without_a_duration_s29_s32() -> None:
    with refuses("maintenance_duration_required", "how many months"):
        check_acute_end("maintenance_contract", maintenance_frequency="monthly")


def test_it_accepts_a_monthly_maintenance_contract_s29() -> None:
    notices = check_acute_end(
        "maintenance_contract",
        maintenance_frequency="monthly",
        maintenance_months=24,
        maintenance_discussed=True,
    )
    assert notices == []


def test_it_refuses_a_continuation_contract_without_sessions_s34_s35() -> None:
    with refuses("continuation_sessions_required", "continuation contract needs"):
        check_acute_end("continuation_contract")


@pytest.mark.parametrize("decision", ["other_treatment", "referral"])
def test_it_refuses_other_treatment_or_referral_without_detail_s34_s35(decision: str) -> None:
    with refuses("detail_required", "which treatment or service"):
        check_acute_end(decision, detail="  ")


def test_it_warns_when_maintenance_was_not_discussed_s5() -> None:
    (notice,) = check_acute_end("referral", detail="psychiatry")
    assert notice.code == "maintenance_not_discussed"
    assert notice.sources == ("S5",)


def test_it_refuses_an_unknown_end_decision_s5() -> None:
    with refuses("unknown_decision", "Unknown end-of-treatment decision 'vanish'"):
        check_acute_end("vanish")


# --- renegotiation [S33] ---


def test_it_records_a_renegotiation_with_its_reason_s33() -> None:
    change = check_renegotiation(12, 16, "  slower progress ")
    assert (change.old_planned, change.new_planned, change.reason) == (12, 16, "slower progress")
    assert change.sources == ("S33",)


def test_it_refuses_a_change_without_a_reason_s33() -> None:
    with refuses("reason_required", "Record the reason"):
        check_renegotiation(12, 16, "")


def test_it_refuses_a_renegotiation_that_changes_nothing_s33() -> None:
    with refuses("no_change", "nothing to renegotiate"):
        check_renegotiation(12, 12, "same")


def test_it_refuses_a_renegotiation_beyond_the_format_bounds_s25_s33() -> None:
    with refuses("sessions_out_of_bounds", "allows 1 to 6"):
        check_renegotiation(6, 10, "more time", get_format("ipc"))
