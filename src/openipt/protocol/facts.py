"""Facts about a client's relationships and life events, the inputs of formulation.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from .errors import ProtocolError
from .problem_areas import AreaCode


class PersonStatus(StrEnum):
    """Whether a person in the inventory is still part of the client's life."""

    PRESENT = "present"
    DECEASED = "deceased"
    ESTRANGED = "estranged"
    ENDED = "ended"


class Conflict(StrEnum):
    """Signs of conflict with a person; covert or overt conflict cues a dispute [S44]."""

    NONE = "none"
    COVERT = "covert"
    OVERT = "overt"


class Support(StrEnum):
    """The support a person gives [S1]."""

    CONFIDING = "confiding"
    PRACTICAL = "practical"
    NONE = "none"


class EventKind(StrEnum):
    """Kinds of life event on the timeline."""

    DEATH = "death"
    CONFLICT = "conflict"
    SEPARATION = "separation"
    MOVE = "move"
    JOB_CHANGE = "job_change"
    BIRTH = "birth"
    ILLNESS = "illness"
    LOSS_OF_CONTACT = "loss_of_contact"
    OTHER = "other"


class Strength(StrEnum):
    """How strongly the recorded facts point to an area."""

    LIKELY = "likely"
    POSSIBLE = "possible"


# Life changes that cue a role transition [S1], [S45]. Separation counts here (S45 lists it
# as a transition); a conflict with the same person also raises a dispute through the person's
# own facts. loss_of_contact and other point to no area on their own.
TRANSITION_KINDS = frozenset(
    {EventKind.SEPARATION, EventKind.MOVE, EventKind.JOB_CHANGE, EventKind.BIRTH, EventKind.ILLNESS}
)
_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True)
class PersonFact:
    """A person from the interpersonal inventory and closeness circle [S1], [S54]."""

    id: str
    label: str
    ring: int
    status: PersonStatus | str = PersonStatus.PRESENT
    conflict: Conflict | str = Conflict.NONE
    expectations_match: bool | None = None
    support: Support | str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.ring, bool) or self.ring not in (1, 2, 3, 4):
            raise ProtocolError("A person's ring must be 1 (closest) to 4.", code="bad_ring")
        object.__setattr__(self, "status", _enum(PersonStatus, self.status, "status"))
        object.__setattr__(self, "conflict", _enum(Conflict, self.conflict, "conflict"))
        if self.support is not None:
            object.__setattr__(self, "support", _enum(Support, self.support, "support"))


@dataclass(frozen=True)
class EventFact:
    """A dated life event on the timeline, optionally linked to a person."""

    date: dt.date
    kind: EventKind | str
    person_id: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum(EventKind, self.kind, "event kind"))

    @property
    def ref(self) -> str:
        """Return a stable reference to the event for ``Suggestion.facts``."""
        person = f":{self.person_id}" if self.person_id else ""
        return f"event:{self.date.isoformat()}:{self.kind}{person}"


@dataclass(frozen=True)
class FormulationSettings:
    """Product settings (not sourced facts) for the suggestions.

    ``proximity_days``: how near symptom onset (before or after) an event must be to count
    as "near onset" (default 180). ``close_rings``: rings that count as close (1 and 2).
    ``few_close_max``: at most this many close supportive relationships counts as "few" (1).
    """

    proximity_days: int = 180
    close_rings: tuple[int, ...] = (1, 2)
    few_close_max: int = 1


@dataclass(frozen=True)
class Suggestion:
    """An area that may fit, with the reasons, the facts behind them and the sources."""

    area: AreaCode
    strength: Strength
    reasons: list[str]
    facts: list[str]
    sources: list[str]


def _enum(kind: type[_E], value: object, what: str) -> _E:
    try:
        return kind(str(value))
    except ValueError:
        options = ", ".join(kind)
        raise ProtocolError(
            f"Unknown {what} '{value}'. Choose one of: {options}.", code="bad_fact"
        ) from None
