"""IPT formats (variants) and the phase of each session in a course.

Session counts come from the sources cited in content/formats.yaml. Phase boundaries differ
between sources (ipt.md §2.2), so they are per-format defaults that a service or a course may
override with :class:`PhaseOverrides`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal, TypeVar

from pydantic import Field, StrictBool, StrictInt, model_validator

from .errors import ProtocolError
from .loader import Code, Entry, SourcedText, Sources, Text, content_path, load_content


class Phase(StrEnum):
    """Phase of an IPT course [S2], [S3]; maintenance for IPT-M [S29]."""

    INITIAL = "initial"
    MIDDLE = "middle"
    TERMINATION = "termination"
    MAINTENANCE = "maintenance"


class Frequency(StrEnum):
    """How often sessions are held."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


_T = TypeVar("_T", int, bool)

PositiveInt = Annotated[StrictInt, Field(ge=1)]
Count = Annotated[StrictInt, Field(ge=0)]


class SessionRange(Entry):
    """An inclusive range of session counts (or months)."""

    min: PositiveInt
    max: PositiveInt

    @model_validator(mode="after")
    def _ordered(self) -> SessionRange:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.min <= value <= self.max


class AgeRange(Entry):
    """The ages (in whole years, inclusive) a format is for, with its source."""

    min: PositiveInt
    max: PositiveInt
    sources: Sources

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min > self.max:
            raise ValueError("min is greater than max")
        return self

    def __contains__(self, age: object) -> bool:
        return isinstance(age, int) and self.min <= age <= self.max


class IntakeFlag(Entry):
    """A condition to screen for at intake because the format is not indicated for it."""

    id: Code
    label: Text
    sources: Sources


class Format(Entry):
    """One IPT format. ``allowed_sessions`` and the phase counts are settings, not facts."""

    code: Code
    name: Text
    description: Text
    phase_model: Literal["acute", "maintenance"]
    typical_sessions: SessionRange
    allowed_sessions: SessionRange
    default_sessions: PositiveInt
    default_frequency: Frequency
    allowed_frequencies: Annotated[tuple[Frequency, ...], Field(min_length=1)]
    duration_months: SessionRange | None = None
    default_duration_months: PositiveInt | None = None
    engagement_session: StrictBool
    initial_sessions: Count
    termination_sessions: Count
    raise_ending_when_remaining: Count
    sick_role: Literal["full", "limited"]
    intake_flags: tuple[IntakeFlag, ...] = ()
    ages: AgeRange | None = None
    notes: tuple[SourcedText, ...] = ()
    sources: Sources

    @model_validator(mode="after")
    def _consistent(self) -> Format:
        if self.default_sessions not in self.allowed_sessions:
            raise ValueError("default_sessions is outside allowed_sessions")
        if self.default_frequency not in self.allowed_frequencies:
            raise ValueError("default_frequency is not in allowed_frequencies")
        phase_counts = (self.initial_sessions, self.termination_sessions)
        if self.phase_model == "acute" and min(phase_counts) < 1:
            raise ValueError("an acute format needs an initial and a termination session")
        return self


class FormatsFile(Entry):
    """Shape of content/formats.yaml."""

    formats: Annotated[tuple[Format, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> FormatsFile:
        codes = [f.code for f in self.formats]
        if len(codes) != len(set(codes)):
            raise ValueError("format codes must be unique")
        return self


@dataclass(frozen=True)
class PhaseOverrides:
    """Per-service or per-course overrides of a format's phase defaults (None keeps it)."""

    initial_sessions: int | None = None
    termination_sessions: int | None = None
    raise_ending_when_remaining: int | None = None
    engagement_session: bool | None = None


@dataclass(frozen=True)
class SessionSlot:
    """Where one session sits in a course: its phase and whether it is an engagement session."""

    number: int
    phase: Phase
    engagement: bool


@functools.cache
def _formats() -> dict[str, Format]:
    loaded = load_content(content_path("formats.yaml"), FormatsFile)
    return {f.code: f for f in loaded.formats}


def all_formats() -> list[Format]:
    """Return every format in content order, for pickers and docs."""
    return list(_formats().values())


def get_format(code: str) -> Format:
    """Return the format with ``code``; refuse unknown codes with a clear message."""
    try:
        return _formats()[code]
    except KeyError:
        known = ", ".join(_formats())
        raise ProtocolError(
            f"Unknown IPT format '{code}'. Choose one of: {known}.", code="unknown_format"
        ) from None


def effective_counts(fmt: Format, overrides: PhaseOverrides | None = None) -> tuple[int, int, int]:
    """Return (engagement, initial, termination) session counts after overrides."""
    o = overrides or PhaseOverrides()
    engagement = _pick(o.engagement_session, fmt.engagement_session)
    initial = _pick(o.initial_sessions, fmt.initial_sessions)
    termination = _pick(o.termination_sessions, fmt.termination_sessions)
    if fmt.phase_model == "acute" and min(initial, termination) < 1:
        raise ProtocolError(
            "Initial and termination phases need at least one session each.", code="bad_override"
        )
    return int(engagement), initial, termination


def _pick(override: _T | None, default: _T) -> _T:
    return default if override is None else override


def raise_ending_threshold(fmt: Format, overrides: PhaseOverrides | None = None) -> int:
    """Return how many remaining sessions trigger raising the ending [S33]."""
    if overrides and overrides.raise_ending_when_remaining is not None:
        return overrides.raise_ending_when_remaining
    return fmt.raise_ending_when_remaining


def phase_bounds(
    fmt: Format, planned_sessions: int, overrides: PhaseOverrides | None = None
) -> tuple[int, int]:
    """Return (last initial session, first termination session) for a planned course.

    Short courses are compressed: the first session is always initial and, when there are at
    least two sessions, the last is always termination, so no phase is ever skipped backwards.
    """
    if planned_sessions < 1:
        raise ProtocolError("A course needs at least one planned session.", code="bad_planned")
    engagement, initial, termination = effective_counts(fmt, overrides)
    if planned_sessions == 1:
        return 1, 2
    initial_end = max(1, min(engagement + initial, planned_sessions - 1))
    termination_start = max(planned_sessions - termination + 1, initial_end + 1)
    return initial_end, termination_start


def phase_for_session(
    fmt: Format, planned_sessions: int, number: int, overrides: PhaseOverrides | None = None
) -> Phase:
    """Return the phase of session ``number``; sessions past the plan stay in termination."""
    if number < 1:
        raise ProtocolError("Session numbers start at 1.", code="bad_session_number")
    if fmt.phase_model == "maintenance":
        if planned_sessions < 1:
            raise ProtocolError("A course needs at least one planned session.", code="bad_planned")
        return Phase.MAINTENANCE
    initial_end, termination_start = phase_bounds(fmt, planned_sessions, overrides)
    if number <= initial_end:
        return Phase.INITIAL
    if number >= termination_start:
        return Phase.TERMINATION
    return Phase.MIDDLE


def session_slot(
    fmt: Format, planned_sessions: int, number: int, overrides: PhaseOverrides | None = None
) -> SessionSlot:
    """Return the phase of a session and flag the IPT-B engagement session [S21], [S22]."""
    phase = phase_for_session(fmt, planned_sessions, number, overrides)
    engagement = number == 1 and phase is Phase.INITIAL and effective_counts(fmt, overrides)[0] == 1
    return SessionSlot(number=number, phase=phase, engagement=engagement)
