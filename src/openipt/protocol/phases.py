"""Tasks of each IPT phase, loaded from content/phases.yaml."""

from __future__ import annotations

import functools
from typing import Annotated

from pydantic import Field, StrictBool, model_validator

from .errors import ProtocolError
from .formats import Format, Phase
from .loader import Code, Entry, Sources, Text, content_path, load_content


class TaskAdaptation(Entry):
    """Wording that replaces a task's label and guidance for some formats."""

    formats: Annotated[tuple[Code, ...], Field(min_length=1)]
    label: Text
    guidance: Text
    sources: Sources


class Task(Entry):
    """One task of a phase; ``recurring`` tasks belong to every session of their phase."""

    id: Code
    phase: Phase
    label: Text
    guidance: Text
    required: StrictBool
    recurring: StrictBool = False
    formats: tuple[Code, ...] | None = None
    adaptations: tuple[TaskAdaptation, ...] = ()
    sources: Sources

    def applies_to(self, fmt: Format | None) -> bool:
        """Return whether the task is part of ``fmt`` (every task applies when None)."""
        return fmt is None or self.formats is None or fmt.code in self.formats

    def adapted(self, fmt: Format | None) -> Task:
        """Return the task worded for ``fmt``, e.g. the limited sick role in IPT-A [S18]."""
        for adaptation in self.adaptations:
            if fmt is not None and fmt.code in adaptation.formats:
                sources = tuple(dict.fromkeys(adaptation.sources + self.sources))
                return self.model_copy(
                    update={
                        "label": adaptation.label,
                        "guidance": adaptation.guidance,
                        "sources": sources,
                    }
                )
        return self


class PhasesFile(Entry):
    """Shape of content/phases.yaml."""

    tasks: Annotated[tuple[Task, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> PhasesFile:
        ids = [t.id for t in self.tasks]
        if len(ids) != len(set(ids)):
            raise ValueError("task ids must be unique")
        return self


@functools.cache
def _tasks() -> dict[str, Task]:
    loaded = load_content(content_path("phases.yaml"), PhasesFile)
    return {t.id: t for t in loaded.tasks}


def all_tasks() -> list[Task]:
    """Return every task in content order."""
    return list(_tasks().values())


def tasks_for(phase: Phase | str, fmt: Format | None = None) -> list[Task]:
    """Return the tasks of ``phase`` in order, worded for ``fmt`` when given."""
    phase = Phase(phase)
    return [t.adapted(fmt) for t in _tasks().values() if t.phase is phase and t.applies_to(fmt)]


def get_task(task_id: str) -> Task:
    """Return the task with ``task_id``; refuse unknown ids."""
    try:
        return _tasks()[task_id]
    except KeyError:
        raise ProtocolError(f"Unknown IPT task '{task_id}'.", code="unknown_task") from None
