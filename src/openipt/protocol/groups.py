"""Group IPT programmes: schedules, sizes, composition, screening and session tasks.

Content in content/group_programmes.yaml, validated on load. A value marked `setting` is a
default a service may change, not a sourced fact about that programme (the WHO manual's own
session length, group size, composition and risk procedure could not be confirmed: ipt.md
§2.4, group_ipt.md §1.1). The pure rules a group needs live here too: the phase and tasks of
a group session, eligibility at screening, and whether a member fits a group's composition.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from .errors import ProtocolError
from .formats import Phase, get_format
from .loader import Code, Entry, SourcedText, Sources, Text, content_path, load_content
from .problem_areas import AreaCode, area_label, naming_schemes

PositiveInt = Annotated[StrictInt, Field(ge=1)]
Count = Annotated[StrictInt, Field(ge=0)]


class Composition(StrEnum):
    """Who may share a group: single-sex groups [S313], [S301]; mixed [S300]."""

    SINGLE_SEX = "single_sex"
    MIXED = "mixed"


class Sourced(Entry):
    """A value with its sources; `setting` marks a default drawn from them, not a fact."""

    setting: StrictBool = False
    note: Text | None = None
    sources: Sources


class Bound(Sourced):
    """An inclusive range (minutes, members, facilitators)."""

    min: PositiveInt
    max: PositiveInt

    @model_validator(mode="after")
    def _ordered(self) -> Bound:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.min <= value <= self.max


class CompositionRule(Sourced):
    allowed: Annotated[tuple[Composition, ...], Field(min_length=1)]
    default: Composition

    @model_validator(mode="after")
    def _default_allowed(self) -> CompositionRule:
        if self.default not in self.allowed:
            raise ValueError("default composition is not among the allowed ones")
        return self


class Screening(Sourced):
    """How members are screened: the instrument, the threshold (score at or above) and how
    many times (StrongMinds screens twice [S303])."""

    instrument: Literal["phq9"]
    threshold: Count
    screenings: PositiveInt


class Exclusion(Sourced):
    """A reason someone goes to individual care instead of the group."""

    id: Code
    label: Text


class Task(Entry):
    id: Code
    label: Text
    sources: Sources


class PreGroup(Sourced):
    sessions: Count
    tasks: tuple[Task, ...] = ()


class PhaseBlock(Sourced):
    """Group sessions `first`..`last` (inclusive) and the tasks each of them asks."""

    phase: Literal["initial", "middle", "termination"]
    first: PositiveInt
    last: PositiveInt
    tasks: Annotated[tuple[Task, ...], Field(min_length=1)]


class MeasurePoint(Sourced):
    """When the PHQ-9 is given: at screening, pre-group, a group session, or a follow-up."""

    point: Literal["screening", "pre_group", "session", "follow_up"]
    session: PositiveInt | None = None
    months: PositiveInt | None = None

    @model_validator(mode="after")
    def _where(self) -> MeasurePoint:
        if (self.point == "session") != (self.session is not None):
            raise ValueError("a session measure point names its session, and only it")
        if (self.point == "follow_up") != (self.months is not None):
            raise ValueError("a follow-up measure point names its months, and only it")
        return self


class Programme(Entry):
    """One group IPT programme as it was run."""

    code: Code
    name: Text
    description: Text
    course_format: Code
    naming_scheme: Code
    group_sessions: PositiveInt
    group_sessions_sources: Sources
    frequency: Literal["weekly"]
    session_minutes: Bound
    group_size: Bound
    composition: CompositionRule
    facilitators: Bound
    delivered_by: SourcedText
    screening: Screening
    exclusions: Annotated[tuple[Exclusion, ...], Field(min_length=1)]
    pre_group: PreGroup
    check_in: SourcedText | None = None
    phases: Annotated[tuple[PhaseBlock, ...], Field(min_length=1)]
    measure_points: tuple[MeasurePoint, ...] = ()
    notes: tuple[SourcedText, ...] = ()
    sources: Sources

    @model_validator(mode="after")
    def _schedule(self) -> Programme:
        expected = 1
        for block in self.phases:
            if block.first != expected or block.last < block.first:
                raise ValueError(f"phase {block.phase} must start at session {expected}")
            expected = block.last + 1
        if expected - 1 != self.group_sessions:
            raise ValueError("the phases must cover sessions 1 to group_sessions exactly")
        if [b.phase for b in self.phases] != ["initial", "middle", "termination"]:
            raise ValueError("phases must be initial, middle, termination in that order")
        for point in self.measure_points:
            if point.session is not None and point.session > self.group_sessions:
                raise ValueError(f"measure point at session {point.session} is past the end")
        return self

    @property
    def measured_sessions(self) -> frozenset[int]:
        """Return the group sessions at which the PHQ-9 is scheduled."""
        return frozenset(p.session for p in self.measure_points if p.session is not None)

    @property
    def follow_up_months(self) -> tuple[int, ...]:
        """Return the months after the group's end at which a follow-up PHQ-9 is scheduled."""
        return tuple(sorted(p.months for p in self.measure_points if p.months is not None))

    def block(self, number: int) -> PhaseBlock:
        """Return the phase block of group session `number` (past the end: termination)."""
        if number < 1:
            raise ProtocolError("Group sessions are numbered from 1.", code="bad_session_number")
        for block in self.phases:
            if block.first <= number <= block.last:
                return block
        return self.phases[-1]

    def phase(self, number: int) -> Phase:
        return Phase(self.block(number).phase)

    def tasks(self, number: int) -> tuple[Task, ...]:
        """Return the tasks group session `number` asks: its adherence checklist."""
        return self.block(number).tasks

    def area_name(self, area: str) -> str:
        """Return the plain name of a canonical problem area in this programme's scheme."""
        return area_label(area, self.naming_scheme) or area_label(area) or area


class ProgrammesFile(Entry):
    programmes: Annotated[tuple[Programme, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _references(self) -> ProgrammesFile:
        codes = [p.code for p in self.programmes]
        if len(codes) != len(set(codes)):
            raise ValueError("programme codes must be unique")
        schemes = {s.code for s in naming_schemes()}
        for programme in self.programmes:
            get_format(programme.course_format)  # raises for an unknown format
            if programme.naming_scheme not in schemes:
                raise ValueError(f"unknown naming scheme {programme.naming_scheme!r}")
        return self


@functools.cache
def _programmes() -> dict[str, Programme]:
    loaded = load_content(content_path("group_programmes.yaml"), ProgrammesFile)
    return {p.code: p for p in loaded.programmes}


def all_programmes() -> list[Programme]:
    """Return every group programme in content order."""
    return list(_programmes().values())


def get_programme(code: str) -> Programme:
    """Return the programme with `code`; refuse unknown codes with a clear message."""
    try:
        return _programmes()[code]
    except KeyError:
        known = ", ".join(_programmes())
        raise ProtocolError(
            f"Unknown group programme '{code}'. Choose one of: {known}.", code="unknown_programme"
        ) from None


def plain_area_names(programme: Programme) -> list[tuple[str, str]]:
    """Return (canonical code, plain name) for the four problem areas, for pickers."""
    return [(str(code), programme.area_name(str(code))) for code in AreaCode]


@dataclass(frozen=True)
class Eligibility:
    """The result of screening one person for a programme."""

    eligible: bool
    individual_care: bool  # an exclusion: refer to individual care, never to the group
    reasons: tuple[str, ...]


def screen(programme: Programme, total: int, exclusions: set[str] | frozenset[str]) -> Eligibility:
    """Return whether a screened person may join a group of this programme.

    Any exclusion (a current suicide plan, a recent attempt) sends the person to individual
    care whatever their score [S302], [S301]; otherwise the score must reach the threshold.
    """
    known = {e.id: e.label for e in programme.exclusions}
    unknown = set(exclusions) - set(known)
    if unknown:
        raise ProtocolError(
            f"Unknown exclusion(s): {', '.join(sorted(unknown))}.", code="unknown_exclusion"
        )
    if exclusions:
        reasons = tuple(known[e] for e in known if e in exclusions)
        return Eligibility(eligible=False, individual_care=True, reasons=reasons)
    threshold = programme.screening.threshold
    if total < threshold:
        reason = f"Score {total} is below this programme's threshold of {threshold}."
        return Eligibility(eligible=False, individual_care=False, reasons=(reason,))
    return Eligibility(eligible=True, individual_care=False, reasons=())


def composition_problem(composition: str, group_sexes: list[str], sex: str) -> str | None:
    """Return why a member of `sex` cannot join a group of this composition, or None."""
    if composition == Composition.SINGLE_SEX and group_sexes and sex not in group_sexes:
        return "This is a single-sex group."
    return None
