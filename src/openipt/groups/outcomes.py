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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from openipt.measures import get_instrument
from openipt.measures.outcomes import instrument_outcome

DENOMINATORS = ("enrolled", "attended", "completed")
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

    def mean_change_text(self) -> str:
        if self.mean_change is None:
            return "-"
        exact = Decimal(self.mean_change.numerator) / Decimal(self.mean_change.denominator)
        return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


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


def summarise(facts: Iterable[MemberFacts]) -> Outcomes:
    """Return the outcomes of these members over each of the three denominators.

    Remission counts only a member with both scores: an end score alone says nothing about
    change, and the baseline alone is not an outcome.
    """
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
