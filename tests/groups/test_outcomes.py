"""The outcome arithmetic against hand-worked figures (no database)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from openipt.groups.outcomes import MemberFacts, cost, summarise


def facts(i: int, attended: int, rows: int, left: bool, baseline, end) -> MemberFacts:
    return MemberFacts(i, attended, rows, left, baseline, end)


def test_it_states_each_rate_over_all_three_denominators():
    # A 20->9 (fall 11 >= 10, response; 9 not < 5); B 10->4 (response, remission);
    # C never came (baseline 18, no end); D left after 2 sessions with 16->15.
    outcomes = summarise(
        [
            facts(1, 8, 8, False, 20, 9),
            facts(2, 6, 8, False, 10, 4),
            facts(3, 0, 8, False, 18, None),
            facts(4, 2, 3, True, 16, 15),
        ]
    )
    assert (outcomes.enrolled, outcomes.reached, outcomes.completed) == (4, 3, 2)
    rows = {r.name: r for r in outcomes.rows}
    assert (rows["enrolled"].recovery.count, rows["enrolled"].recovery.total) == (2, 4)
    assert rows["enrolled"].recovery.percent() == "50.0 %"
    assert rows["attended"].recovery.percent() == "66.7 %"
    assert rows["completed"].recovery.percent() == "100.0 %"
    assert rows["enrolled"].remission.percent() == "25.0 %"
    # mean change over those with both scores: (-11 - 6 - 1) / 3 = -6
    assert rows["enrolled"].mean_change == Fraction(-6) and rows["enrolled"].measured == 3
    assert rows["completed"].mean_change == Fraction(-17, 2)
    assert rows["completed"].mean_change_text() == "-8.5"
    assert outcomes.retention.percent() == "50.0 %"
    assert (outcomes.attendance.count, outcomes.attendance.total) == (16, 27)


def test_it_counts_a_fall_of_exactly_half_as_recovery():
    outcomes = summarise([facts(1, 1, 1, False, 15, 8), facts(2, 1, 1, False, 15, 7)])
    # 15 -> 8 falls 7 (< 7.5): no; 15 -> 7 falls 8: yes
    assert [m.response for m in outcomes.members] == [False, True]


def test_it_gives_no_rate_over_an_empty_denominator():
    outcomes = summarise([])
    assert outcomes.retention.percent() == "-" and outcomes.rows[0].mean_change_text() == "-"


def test_it_costs_facilitator_hours_per_member_treated():
    result = cost([90] * 8, 2, Decimal("5.00"), Decimal("40.00"), 7, 6, "USD")
    assert result.facilitator_hours == Decimal("24.00")
    assert result.total == Decimal("160.00")
    assert (result.per_member_reached, result.per_completer) == (Decimal("22.86"), Decimal("26.67"))
    assert cost([60], 1, Decimal("10"), Decimal("0"), 0, 0, "KES").per_member_reached is None
