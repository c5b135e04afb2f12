"""Plain data handed to the chart functions, so callers need no matplotlib knowledge."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

RINGS = (1, 2, 3, 4)
CONFLICTS = ("none", "covert", "overt")
SUPPORTS = ("confiding", "practical", "none")


@dataclass(frozen=True, slots=True)
class ScorePoint:
    """One questionnaire total; ``session_number`` is None for scores taken outside a session."""

    session_number: int | None
    date: datetime.date
    total: int


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band, inclusive at both ends (PHQ-9 "Mild" is 5..9)."""

    lower: int
    upper: int
    label: str

    def __post_init__(self) -> None:
        if self.upper < self.lower:
            raise ValueError(
                f"Band {self.label!r} has upper {self.upper} below lower {self.lower}."
            )


@dataclass(frozen=True, slots=True)
class EventMark:
    """A life event drawn on a score chart; a fractional session sits between two sessions."""

    date: datetime.date
    label: str
    session_number: float | None = None


@dataclass(frozen=True, slots=True)
class CirclePerson:
    """A person in the client's closeness circle; ring 1 is the closest, 4 the furthest."""

    label: str
    ring: int
    conflict: str = "none"
    support: str | None = None
    lost: bool = False

    def __post_init__(self) -> None:
        check_person(self)


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """A dated event in the interpersonal inventory timeline; ``kind`` picks the marker shape."""

    date: datetime.date
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class MoodEntry:
    """One day of the client's mood diary: mood 0-10 and how many people they had contact with."""

    date: datetime.date
    mood: int
    contacts: int

    def __post_init__(self) -> None:
        if not 0 <= self.mood <= 10:
            raise ValueError(f"Mood must be between 0 and 10, got {self.mood}.")
        if self.contacts < 0:
            raise ValueError(f"Contacts cannot be negative, got {self.contacts}.")


def check_person(person: CirclePerson) -> None:
    """Raise ValueError naming the person and the bad field, so form errors are easy to trace."""
    if person.ring not in RINGS:
        raise ValueError(
            f"Ring for {person.label!r} must be 1 (closest) to 4 (furthest), got {person.ring!r}."
        )
    if person.conflict not in CONFLICTS:
        raise ValueError(
            f"Conflict for {person.label!r} must be one of {', '.join(CONFLICTS)}, "
            f"got {person.conflict!r}."
        )
    if person.support is not None and person.support not in SUPPORTS:
        raise ValueError(
            f"Support for {person.label!r} must be one of {', '.join(SUPPORTS)} or None, "
            f"got {person.support!r}."
        )
