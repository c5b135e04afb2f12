"""Errors raised by the measures package."""

from __future__ import annotations

from dataclasses import dataclass


class InstrumentError(ValueError):
    """An instrument definition is malformed, or clashes with a published one."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class AnswerProblem:
    """One thing wrong with one item's answer."""

    item_id: str
    message: str


class AnswerError(ValueError):
    """A set of answers cannot be scored; `problems` names every bad item."""

    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))
