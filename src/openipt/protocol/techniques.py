"""IPT techniques [S48], [S49], [S19], [S50], [S52]."""

from __future__ import annotations

import functools
from typing import Annotated

from pydantic import Field, model_validator

from .errors import ProtocolError
from .formats import Format
from .loader import Code, Entry, Sources, Text, content_path, load_content


class Technique(Entry):
    """One IPT technique; decision analysis carries its five steps [S19]."""

    id: Code
    label: Text
    description: Text
    steps: tuple[Text, ...] = ()
    sources: Sources


class TechniqueSuggestions(Entry):
    """Techniques suggested for the middle phase of some formats (None = all)."""

    formats: tuple[Code, ...] | None
    ids: Annotated[tuple[Code, ...], Field(min_length=1)]
    sources: Sources


class TechniquesFile(Entry):
    """Shape of content/techniques.yaml."""

    techniques: Annotated[tuple[Technique, ...], Field(min_length=1)]
    middle_phase_suggestions: Annotated[tuple[TechniqueSuggestions, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _known_ids(self) -> TechniquesFile:
        ids = [t.id for t in self.techniques]
        if len(ids) != len(set(ids)):
            raise ValueError("technique ids must be unique")
        for suggestion in self.middle_phase_suggestions:
            unknown = set(suggestion.ids) - set(ids)
            if unknown:
                raise ValueError(f"unknown technique ids: {', '.join(sorted(unknown))}")
        if self.middle_phase_suggestions[-1].formats is not None:
            raise ValueError("the last middle_phase_suggestions entry must have formats: null")
        return self


@functools.cache
def _content() -> TechniquesFile:
    return load_content(content_path("techniques.yaml"), TechniquesFile)


def all_techniques() -> list[Technique]:
    """Return every technique in content order."""
    return list(_content().techniques)


def get_technique(technique_id: str) -> Technique:
    """Return the technique with ``technique_id``; refuse unknown ids."""
    for technique in _content().techniques:
        if technique.id == technique_id:
            return technique
    raise ProtocolError(f"Unknown IPT technique '{technique_id}'.", code="unknown_technique")


def middle_phase_suggestions(fmt: Format | None = None) -> TechniqueSuggestions:
    """Return the techniques suggested for middle-phase sessions of ``fmt``."""
    for suggestion in _content().middle_phase_suggestions:
        if suggestion.formats is None or (fmt is not None and fmt.code in suggestion.formats):
            return suggestion
    raise AssertionError("content validation guarantees a catch-all entry")  # pragma: no cover
