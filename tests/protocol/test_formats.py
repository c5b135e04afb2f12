"""Formats and the phase of each session, per format and under overrides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openipt.protocol.errors import ProtocolError
from openipt.protocol.formats import (
    Phase,
    PhaseOverrides,
    all_formats,
    get_format,
    phase_for_session,
    session_slot,
)

INI, M, T = Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION
ORDER = {Phase.INITIAL: 0, Phase.MIDDLE: 1, Phase.TERMINATION: 2, Phase.MAINTENANCE: 3}


def table(code: str, planned: int, overrides: PhaseOverrides | None = None) -> list[Phase]:
    fmt = get_format(code)
    return [phase_for_session(fmt, planned, n, overrides) for n in range(1, planned + 1)]


def test_it_has_exactly_the_agreed_format_codes() -> None:
    codes = [f.code for f in all_formats()]
    assert codes == ["standard", "brief", "ipc", "adolescent", "maintenance", "group_who"]


def test_it_refuses_an_unknown_format() -> None:
    with pytest.raises(ProtocolError, match="Unknown IPT format 'ipt-x'") as caught:
        get_format("ipt-x")
    assert caught.value.code == "unknown_format"


def test_it_keeps_standard_ipt_at_12_to_16_weekly_sessions_s1_s33() -> None:
    fmt = get_format("standard")
    assert (fmt.typical_sessions.min, fmt.typical_sessions.max) == (12, 16)
    assert fmt.default_sessions == 16
    assert fmt.default_frequency == "weekly"
    assert fmt.raise_ending_when_remaining == 4


def test_it_gives_brief_ipt_eight_sessions_plus_engagement_s21_s22() -> None:
    fmt = get_format("brief")
    assert fmt.default_sessions == 9
    assert fmt.engagement_session is True
    assert fmt.initial_sessions == 2


def test_it_caps_ipc_at_six_sessions_s25() -> None:
    fmt = get_format("ipc")
    assert (fmt.typical_sessions.min, fmt.typical_sessions.max) == (3, 6)
    assert fmt.allowed_sessions.max == 6


def test_it_gives_ipt_a_a_limited_sick_role_and_intake_flags_s15_s18() -> None:
    fmt = get_format("adolescent")
    assert fmt.sick_role == "limited"
    assert [flag.id for flag in fmt.intake_flags] == [
        "bipolar_disorder",
        "acutely_suicidal_or_homicidal",
        "psychosis",
        "intellectual_disability",
        "active_substance_abuse",
    ]
    assert all(flag.sources == ("S15",) for flag in fmt.intake_flags)


def test_it_runs_maintenance_monthly_or_fortnightly_for_months_s29_s32_s34() -> None:
    fmt = get_format("maintenance")
    assert fmt.default_frequency == "monthly"
    assert {"monthly", "fortnightly"} <= set(fmt.allowed_frequencies)
    assert fmt.duration_months is not None
    assert (fmt.duration_months.min, fmt.duration_months.max) == (24, 36)


def test_it_gives_who_group_ipt_eight_sessions_s7() -> None:
    assert get_format("group_who").default_sessions == 8


def test_it_phases_standard_16_as_3_initial_10_middle_3_termination() -> None:
    assert table("standard", 16) == [INI] * 3 + [M] * 10 + [T] * 3


def test_it_phases_standard_12_as_3_initial_6_middle_3_termination() -> None:
    assert table("standard", 12) == [INI] * 3 + [M] * 6 + [T] * 3


def test_it_phases_brief_9_with_an_engagement_session_then_2_initial_s21() -> None:
    assert table("brief", 9) == [INI] * 3 + [M] * 4 + [T] * 2
    fmt = get_format("brief")
    slots = [session_slot(fmt, 9, n) for n in range(1, 10)]
    assert [s.engagement for s in slots] == [True] + [False] * 8


def test_it_phases_ipc_6_following_the_judd_session_foci_s26() -> None:
    assert table("ipc", 6) == [INI] * 3 + [M] * 2 + [T]


def test_it_compresses_a_three_session_ipc() -> None:
    assert table("ipc", 3) == [INI, INI, T]


def test_it_phases_adolescent_12_and_16() -> None:
    assert table("adolescent", 12) == [INI] * 3 + [M] * 6 + [T] * 3
    assert table("adolescent", 16) == [INI] * 3 + [M] * 10 + [T] * 3


def test_it_puts_every_maintenance_session_in_the_maintenance_phase() -> None:
    assert table("maintenance", 24) == [Phase.MAINTENANCE] * 24
    assert phase_for_session(get_format("maintenance"), 24, 40) is Phase.MAINTENANCE


def test_it_phases_who_group_8_as_1_initial_6_middle_1_termination_s10() -> None:
    assert table("group_who", 8) == [INI] + [M] * 6 + [T]


def test_it_keeps_sessions_past_the_plan_in_termination() -> None:
    fmt = get_format("standard")
    assert phase_for_session(fmt, 16, 17) is T
    assert phase_for_session(fmt, 16, 100) is T


def test_it_applies_overrides_for_the_iptuk_scheme_s2() -> None:
    overrides = PhaseOverrides(initial_sessions=4, termination_sessions=4)
    assert table("standard", 16, overrides) == [INI] * 4 + [M] * 8 + [T] * 4


def test_it_can_drop_the_engagement_session_by_override() -> None:
    fmt = get_format("brief")
    overrides = PhaseOverrides(engagement_session=False)
    assert table("brief", 8, overrides) == [INI] * 2 + [M] * 4 + [T] * 2
    assert session_slot(fmt, 8, 1, overrides).engagement is False


def test_it_refuses_overrides_that_remove_a_phase() -> None:
    with pytest.raises(ProtocolError, match="at least one session each"):
        phase_for_session(get_format("standard"), 16, 1, PhaseOverrides(initial_sessions=0))


def test_it_refuses_session_number_zero() -> None:
    with pytest.raises(ProtocolError, match="start at 1"):
        phase_for_session(get_format("standard"), 16, 0)


acute_codes = st.sampled_from([f.code for f in all_formats() if f.phase_model == "acute"])
overrides_st = st.one_of(
    st.none(),
    st.builds(
        PhaseOverrides,
        initial_sessions=st.one_of(st.none(), st.integers(1, 6)),
        termination_sessions=st.one_of(st.none(), st.integers(1, 6)),
        engagement_session=st.one_of(st.none(), st.booleans()),
    ),
)


@given(code=acute_codes, planned=st.integers(1, 60), overrides=overrides_st)
def test_it_never_moves_a_phase_backwards(
    code: str, planned: int, overrides: PhaseOverrides | None
) -> None:
    fmt = get_format(code)
    phases = [phase_for_session(fmt, planned, n, overrides) for n in range(1, planned + 10)]
    ranks = [ORDER[p] for p in phases]
    assert ranks == sorted(ranks)
    assert phases[0] is INI
    assert all(p is T for p in phases[planned:])
    if planned >= 2:
        assert phases[planned - 1] is T


@given(
    code=st.sampled_from([f.code for f in all_formats()]),
    planned=st.integers(1, 200),
    number=st.integers(1, 400),
    overrides=overrides_st,
)
def test_it_gives_every_valid_session_a_phase(
    code: str, planned: int, number: int, overrides: PhaseOverrides | None
) -> None:
    assert phase_for_session(get_format(code), planned, number, overrides) in set(Phase)
