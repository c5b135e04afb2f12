"""Group outcomes with the denominator stated: enrolled, attended at least one, completed.

The choice of denominator changes the result (StrongMinds' pre-post figures were analysed
"for participants reached (attended >= 1 session)" [S309]), so every rate is given over all
three. A member without an end score counts as not recovered and not remitted: the rate is
over the whole denominator, never only over those measured (that count, `measured`, is shown
beside it). The per-member rules come from `openipt.measures`: response is a fall of at least
50 % [S73] (the trials' "recovery" [S308]), remission a PHQ-9 below 5 [S73], reliable
improvement by the configured rule [S80].

"Completed" is not defined by the sources: here a completer is a member still in the group
when it ended (never left) who attended at least one session. It is a setting (docs/protocol.md).

Follow-ups (6 or 12 months after the group's end, where the programme schedules them) use the
same three denominators, counted over the members whose group ended long enough ago for the
point's window to have opened; a member with no follow-up score in the window counts as not
measured, not recovered and not remitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from openipt.measures import get_instrument
from openipt.measures.outcomes import instrument_outcome

DENOMINATORS = ("enrolled", "attended", "completed")
# A follow-up PHQ-9 belongs to the scheduled point nearest its day when it falls within this
# many days either side of the point's day: a follow-up visit in the field is rarely on the
# day itself. About six weeks, under half the gap between 6 and 12 months, so the points never
# blur. A setting, not a sourced rule (docs/protocol.md).
FOLLOW_UP_WINDOW_DAYS = 45
# A month is the mean calendar month (365.25 / 12 days) when a point's day is worked out.
DAYS_PER_MONTH = Fraction(36525, 1200)
DENOMINATOR_LABELS = {
    "enrolled": "Enrolled",
    "attended": "Attended at least one session",
    "completed": "Completed the group",
}


@dataclass(frozen=True)
class MemberFacts:
    """What the outcomes need of one member."""

    member_id: int
    attended: int  # sessions present
    rows: int  # sessions held while a member
    left: bool
    baseline: int | None
    end: int | None
    # Days from the group's end to today; None while the group has not ended.
    days_since_end: int | None = None
    # Follow-up PHQ-9 by scheduled point: months after the end -> the score in its window.
    follow_ups: Mapping[int, int] = field(default_factory=dict)

    @property
    def reached(self) -> bool:
        return self.attended >= 1

    @property
    def completed(self) -> bool:
        return self.reached and not self.left


@dataclass(frozen=True)
class MemberOutcome:
    facts: MemberFacts
    change: int | None
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None


def member_outcome(facts: MemberFacts) -> MemberOutcome:
    """Return one member's PHQ-9 change, response, remission and reliable improvement."""
    result = instrument_outcome(get_instrument("phq9"), facts.baseline, facts.end)
    return MemberOutcome(
        facts=facts,
        change=result["change"],
        response=result["response"] if facts.baseline is not None else None,
        remission=result["remission"] if facts.baseline is not None else None,
        reliable_improvement=result["reliable_improvement"],
    )


@dataclass(frozen=True)
class Rate:
    """`count` of `total`, as a fraction; None when the denominator is empty."""

    count: int
    total: int

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.count, self.total) if self.total else None

    def percent(self) -> str:
        if not self.total:
            return "-"
        exact = Decimal(self.count * 100) / Decimal(self.total)
        return f"{exact.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


@dataclass(frozen=True)
class DenominatorRow:
    """The outcomes over one denominator."""

    name: str
    members: int
    measured: int  # with a baseline and an end score
    mean_change: Fraction | None
    recovery: Rate
    remission: Rate
    reliable_improvement: Rate

    @property
    def label(self) -> str:
        return DENOMINATOR_LABELS[self.name]

    @property
    def not_measured(self) -> int:
        return self.members - self.measured

    def mean_change_text(self) -> str:
        if self.mean_change is None:
            return "-"
        exact = Decimal(self.mean_change.numerator) / Decimal(self.mean_change.denominator)
        return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class FollowUpWindow:
    """A scheduled follow-up point and its window, in days after the group's end (inclusive)."""

    months: int
    day: int
    first: int
    last: int


def months_to_days(months: int) -> int:
    return round(DAYS_PER_MONTH * months)


def follow_up_windows(months: Iterable[int]) -> tuple[FollowUpWindow, ...]:
    """Return each scheduled point's window: FOLLOW_UP_WINDOW_DAYS either side of its day,
    cut halfway to a neighbouring point (the middle day goes to the earlier point), and never
    on or before the group's end (a score by the end is the end-of-group score)."""
    points = sorted({(months_to_days(m), m) for m in months})
    windows = []
    for i, (day, m) in enumerate(points):
        first, last = max(1, day - FOLLOW_UP_WINDOW_DAYS), day + FOLLOW_UP_WINDOW_DAYS
        if i > 0:
            first = max(first, (points[i - 1][0] + day) // 2 + 1)
        if i + 1 < len(points):
            last = min(last, (day + points[i + 1][0]) // 2)
        windows.append(FollowUpWindow(m, day, first, last))
    return tuple(windows)


def follow_up_point(
    windows: Iterable[FollowUpWindow], days_after_end: int
) -> FollowUpWindow | None:
    """Return the point a score this many days after the group's end belongs to, or None."""
    return next((w for w in windows if w.first <= days_after_end <= w.last), None)


@dataclass(frozen=True)
class FollowUp:
    """The outcomes at one follow-up point, over the members whose window has opened."""

    window: FollowUpWindow
    due: int  # members whose group ended at least window.first days ago
    rows: tuple[DenominatorRow, ...]


@dataclass(frozen=True)
class Outcomes:
    """A group's (or a programme's) outcomes."""

    enrolled: int
    reached: int
    completed: int
    retention: Rate  # completed of enrolled
    attendance: Rate  # sessions present of sessions held while a member
    rows: tuple[DenominatorRow, ...]
    members: tuple[MemberOutcome, ...]
    follow_ups: tuple[FollowUp, ...] = ()


def _in(name: str, outcome: MemberOutcome) -> bool:
    if name == "attended":
        return outcome.facts.reached
    if name == "completed":
        return outcome.facts.completed
    return True


def _row(name: str, outcomes: list[MemberOutcome]) -> DenominatorRow:
    chosen = [o for o in outcomes if _in(name, o)]
    measured = [o for o in chosen if o.change is not None]
    mean = (
        Fraction(sum(o.change for o in measured if o.change is not None), len(measured))
        if measured
        else None
    )
    return DenominatorRow(
        name=name,
        members=len(chosen),
        measured=len(measured),
        mean_change=mean,
        recovery=Rate(sum(1 for o in chosen if o.response), len(chosen)),
        remission=Rate(sum(1 for o in chosen if o.remission and o.change is not None), len(chosen)),
        reliable_improvement=Rate(sum(1 for o in chosen if o.reliable_improvement), len(chosen)),
    )


def follow_up(window: FollowUpWindow, facts: Iterable[MemberFacts]) -> FollowUp:
    """Return the outcomes at one follow-up point: the follow-up score stands in for the end
    score, over the members whose group ended at least the window's first day ago."""
    due = [
        member_outcome(replace(f, end=f.follow_ups.get(window.months)))
        for f in facts
        if f.days_since_end is not None and f.days_since_end >= window.first
    ]
    return FollowUp(window, len(due), tuple(_row(name, due) for name in DENOMINATORS))


def summarise(facts: Iterable[MemberFacts], follow_up_months: Iterable[int] = ()) -> Outcomes:
    """Return the outcomes of these members over each of the three denominators, and at each
    scheduled follow-up point.

    Remission counts only a member with both scores: an end score alone says nothing about
    change, and the baseline alone is not an outcome.
    """
    facts = list(facts)
    outcomes = [member_outcome(f) for f in facts]
    enrolled = len(outcomes)
    reached = sum(1 for o in outcomes if o.facts.reached)
    completed = sum(1 for o in outcomes if o.facts.completed)
    return Outcomes(
        enrolled=enrolled,
        reached=reached,
        completed=completed,
        retention=Rate(completed, enrolled),
        attendance=Rate(
            sum(o.facts.attended for o in outcomes), sum(o.facts.rows for o in outcomes)
        ),
        rows=tuple(_row(name, outcomes) for name in DENOMINATORS),
        members=tuple(outcomes),
        follow_ups=tuple(follow_up(w, facts) for w in follow_up_windows(follow_up_months)),
    )


@dataclass(frozen=True)
class Cost:
    """Cost per member treated from facilitator hours and the service's cost inputs."""

    facilitator_hours: Decimal
    total: Decimal
    per_member_reached: Decimal | None
    per_completer: Decimal | None
    currency: str


def cost(
    session_minutes: Iterable[int],
    facilitators: int,
    hourly_cost: Decimal,
    other_cost: Decimal,
    reached: int,
    completed: int,
    currency: str,
) -> Cost:
    """Return facilitator hours (each session's length times the number of facilitators),
    the total cost (hours times the hourly cost, plus the group's other costs), and that
    total per member treated (attended at least one session) and per completer."""
    minutes = sum(session_minutes) * facilitators
    hours = (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    total = (Decimal(minutes) / Decimal(60) * hourly_cost + other_cost).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )

    def per(n: int) -> Decimal | None:
        return (total / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if n else None

    return Cost(hours, total, per(reached), per(completed), currency)
