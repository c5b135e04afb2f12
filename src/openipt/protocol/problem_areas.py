"""The four IPT problem areas, dispute stages and naming schemes [S1], [S44], [S46]."""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from .errors import ProtocolError
from .loader import Code, Entry, SourcedText, Sources, Text, content_path, load_content


class AreaCode(StrEnum):
    """Codes of the four problem areas [S1]."""

    GRIEF = "grief"
    ROLE_DISPUTE = "role_dispute"
    ROLE_TRANSITION = "role_transition"
    INTERPERSONAL_DEFICITS = "interpersonal_deficits"


class DisputeStage(StrEnum):
    """Stages of a role dispute; establish the stage first [S44], [S45]."""

    RENEGOTIATION = "renegotiation"
    IMPASSE = "impasse"
    DISSOLUTION = "dissolution"


DISPUTE_STAGES: tuple[DisputeStage, ...] = tuple(DisputeStage)

SourcedList = Annotated[tuple[SourcedText, ...], Field(min_length=1)]


class TechniqueSuggestion(Entry):
    """Technique ids an area calls for, with the source that says so."""

    ids: Annotated[tuple[Code, ...], Field(min_length=1)]
    sources: Sources


class ProblemArea(Entry):
    """One problem area with its definition, cues, goals and sourced strategies."""

    code: AreaCode
    label: Text
    definition: SourcedText
    cues: SourcedList
    goals: SourcedList
    strategies: SourcedList
    suggested_techniques: TechniqueSuggestion | None = None
    prognosis: SourcedText | None = None
    client_explanation: SourcedText
    sources: Sources


class DisputeStageInfo(Entry):
    """A dispute stage and its therapeutic direction [S44]."""

    code: DisputeStage
    label: Text
    direction: Text
    sources: Sources


class NamingScheme(Entry):
    """Labels a service uses for the areas; None means the model has no such area."""

    code: Code
    name: Text
    labels: dict[AreaCode, Text | None]
    sources: Sources

    @model_validator(mode="after")
    def _complete(self) -> NamingScheme:
        missing = set(AreaCode) - set(self.labels)
        if missing:
            raise ValueError(f"labels missing for: {', '.join(sorted(missing))}")
        return self


class ProblemAreasFile(Entry):
    """Shape of content/problem_areas.yaml."""

    areas: tuple[ProblemArea, ...]
    dispute_stages: tuple[DisputeStageInfo, ...]
    naming_schemes: Annotated[tuple[NamingScheme, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _complete(self) -> ProblemAreasFile:
        if sorted(a.code for a in self.areas) != sorted(AreaCode):
            raise ValueError("areas must list each of the four areas exactly once")
        if [s.code for s in self.dispute_stages] != list(DisputeStage):
            raise ValueError("dispute_stages must list renegotiation, impasse, dissolution")
        return self


@functools.cache
def _content() -> ProblemAreasFile:
    return load_content(content_path("problem_areas.yaml"), ProblemAreasFile)


def all_areas() -> list[ProblemArea]:
    """Return the four areas in content order."""
    return list(_content().areas)


def get_area(code: str) -> ProblemArea:
    """Return the area with ``code``; refuse unknown codes."""
    for area in _content().areas:
        if area.code == code:
            return area
    known = ", ".join(AreaCode)
    raise ProtocolError(
        f"Unknown problem area '{code}'. Choose one of: {known}.", code="unknown_area"
    )


def dispute_stage(code: str) -> DisputeStageInfo:
    """Return a dispute stage with its direction; refuse unknown stages."""
    for stage in _content().dispute_stages:
        if stage.code == code:
            return stage
    known = ", ".join(DisputeStage)
    raise ProtocolError(
        f"Unknown dispute stage '{code}'. Choose one of: {known}.", code="unknown_dispute_stage"
    )


def all_dispute_stages() -> list[DisputeStageInfo]:
    """Return the dispute stages in order."""
    return list(_content().dispute_stages)


def naming_schemes() -> list[NamingScheme]:
    """Return the naming schemes a service may choose from (a service setting)."""
    return list(_content().naming_schemes)


def area_label(code: str, scheme: str = "canonical") -> str | None:
    """Return the label of an area in ``scheme``; None where the model lacks the area."""
    area = AreaCode(get_area(code).code)
    for candidate in _content().naming_schemes:
        if candidate.code == scheme:
            return candidate.labels[area]
    known = ", ".join(s.code for s in _content().naming_schemes)
    raise ProtocolError(
        f"Unknown naming scheme '{scheme}'. Choose one of: {known}.", code="unknown_scheme"
    )
