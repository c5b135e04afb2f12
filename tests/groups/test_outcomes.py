"""The outcome arithmetic against hand-worked figures (no database)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from openipt.groups.outcomes import (
    MemberFacts,
    cost,
    follow_up_point,
    follow_up_windows,
    summarise,
)


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


def test_it_places_a_follow_up_at_the_nearest_scheduled_point_within_the_window():
    six, twelve = follow_up_windows([12, 6])
    # 6 months = 182.625 -> 183 days, 12 months = 365.25 -> 365; 45 days either side.
    assert (six.months, six.day, six.first, six.last) == (6, 183, 138, 228)
    assert (twelve.months, twelve.day, twelve.first, twelve.last) == (12, 365, 320, 410)
    assert follow_up_point((six, twelve), 137) is None
    assert follow_up_point((six, twelve), 228) is six
    assert follow_up_point((six, twelve), 300) is None
    assert follow_up_point((six, twelve), 320) is twelve
    # Close points are cut halfway (30 and 61 days: day 45 to the first, 46 to the second),
    # and no window reaches back to the group's end.
    one, two = follow_up_windows([1, 2])
    assert (one.first, one.last, two.first, two.last) == (1, 45, 46, 106)
    assert follow_up_point((one, two), 0) is None
    assert follow_up_windows([]) == ()


def test_it_states_each_follow_up_over_all_three_denominators():
    # The group ended 200 days ago: the 6-month window (from day 138) is open, the 12-month
    # one (from day 320) is not. E's group still runs: in the end rows, due at no point.
    # A 20 -> 4 at 6 months: fall 16 >= 10 (recovery), 4 < 5 (remission)
    # B 10 -> 7: fall 3 < 5, no; C never came, no follow-up: not measured
    # D left, 16 -> 8: fall 8 >= 8 (recovery), not < 5
    outcomes = summarise(
        [
            MemberFacts(1, 8, 8, False, 20, 9, 200, {6: 4}),
            MemberFacts(2, 6, 8, False, 10, 4, 200, {6: 7}),
            MemberFacts(3, 0, 8, False, 18, None, 200, {}),
            MemberFacts(4, 2, 3, True, 16, 15, 200, {6: 8}),
            MemberFacts(5, 3, 3, False, 15, None, None, {}),
        ],
        [6, 12],
    )
    six, twelve = outcomes.follow_ups
    assert (six.due, twelve.due) == (4, 0)
    rows = {r.name: r for r in six.rows}
    # enrolled 4: measured 3, mean (-16 - 3 - 8) / 3 = -9; recovery 2/4, remission 1/4
    assert (rows["enrolled"].members, rows["enrolled"].measured) == (4, 3)
    assert rows["enrolled"].not_measured == 1 and rows["enrolled"].mean_change == Fraction(-9)
    assert rows["enrolled"].recovery.percent() == "50.0 %"
    assert rows["enrolled"].remission.percent() == "25.0 %"
    # attended >= 1 (A, B, D): recovery 2/3, remission 1/3
    assert (rows["attended"].members, rows["attended"].measured) == (3, 3)
    assert rows["attended"].recovery.percent() == "66.7 %"
    assert rows["attended"].remission.percent() == "33.3 %"
    # completed (A, B): mean (-16 - 3) / 2 = -9.5; recovery 1/2, remission 1/2
    assert rows["completed"].mean_change_text() == "-9.5"
    assert (rows["completed"].recovery.count, rows["completed"].recovery.total) == (1, 2)
    assert rows["completed"].remission.percent() == "50.0 %"
    assert [r.recovery.percent() for r in twelve.rows] == ["-", "-", "-"]
    # The end rows are untouched by the follow-ups: five enrolled, A's end score is 9.
    assert outcomes.enrolled == 5 and outcomes.members[0].facts.end == 9
