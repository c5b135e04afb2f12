"""Validate a completed questionnaire and score it.

Scoring refuses anything it would have to guess about: booleans (``True`` is an ``int`` in
Python), text (even "2"), floats, unknown items and missing required items. The developers'
missing-item rule is UNCONFIRMED (measures.md §1), so nothing is prorated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from openipt.measures.errors import AnswerError, AnswerProblem
from openipt.measures.schema import FlagRule, Instrument, Item


@dataclass(frozen=True)
class Score:
    """The scored result of one administration."""

    instrument: str
    version: str
    answers: dict[str, int]
    total: int
    band: str | None
    band_label: str | None
    percentage: int | None
    risk_items: tuple[str, ...]
    flags: tuple[str, ...]


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Validate `answers` (item id -> value) and return the total, band, risk items and flags."""
    normalised = validate_answers(instrument, answers)
    total = sum(normalised[item_id] for item_id in instrument.lookup.scored_ids)
    band = instrument.band_for(total)
    multiplier = instrument.percentage_multiplier
    return Score(
        instrument=instrument.code,
        version=instrument.version,
        answers=normalised,
        total=total,
        band=band.code if band else None,
        band_label=band.label if band else None,
        percentage=total * multiplier.value if multiplier else None,
        risk_items=tuple(risk_items_in(instrument, normalised)),
        flags=tuple(
            rule.code for rule in instrument.flags if _flag_on(rule, instrument, normalised, total)
        ),
    )


def validate_answers(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, int]:
    """Return the answers as {item id: int} in item order, or raise AnswerError listing all."""
    lookup = instrument.lookup
    normalised: dict[str, int] = {}
    bad = False
    for item_id, required, accepted in lookup.rows:
        value = answers.get(item_id)
        if type(value) is int and value in accepted:  # exact type: rejects bool and str
            normalised[item_id] = value
        elif value is not None or required:
            bad = True
    if bad or any(key not in lookup.by_id for key in answers):
        raise AnswerError(_problems(instrument, answers))
    return normalised


def _problems(instrument: Instrument, answers: Mapping[str, object]) -> list[AnswerProblem]:
    """Describe every problem, item by item, in a message that names the item."""
    problems: list[AnswerProblem] = []
    for key in answers:
        if not isinstance(key, str) or instrument.item(key) is None:
            message = f"Item {key}: not an item of {instrument.name}"
            problems.append(AnswerProblem(str(key), message))
    for item in instrument.items:
        value = answers.get(item.id)
        if value is None:
            if item.required:
                message = f"Item {item.id}: an answer is required"
                problems.append(AnswerProblem(item.id, message))
            continue
        problem = _value_problem(item, value)
        if problem:
            problems.append(AnswerProblem(item.id, problem))
    return problems


def _value_problem(item: Item, value: object) -> str | None:
    """Return why `value` is not an accepted answer to `item`, or None when it is."""
    allowed = item.values()
    if type(value) is int and value in allowed:
        return None
    expected = f"Item {item.id}: answer must be one of {', '.join(map(str, allowed))}"
    if isinstance(value, bool):
        got = "a true/false value"
    elif isinstance(value, str):
        got = f"text {value!r}"
    elif isinstance(value, int):
        got = str(value)
    else:
        got = f"a {type(value).__name__} ({value!r})"
    return f"{expected}; got {got}"


def is_valid_answer(item: Item, value: object) -> bool:
    """Return True when `value` is an accepted answer to `item` (an int, never a bool)."""
    return _value_problem(item, value) is None


def risk_items_in(instrument: Instrument, answers: Mapping[str, object]) -> list[str]:
    """Return the risk items triggered by raw answers, before (and despite) full validation.

    A risk answer must reach a clinician even if another item is bad, so each risk item is
    checked on its own; only a valid answer to that item counts.
    """
    triggered: list[str] = []
    for risk in instrument.risk_items:
        item = instrument.item(risk.item)
        value = answers.get(risk.item)
        valid = item is not None and is_valid_answer(item, value)
        if valid and isinstance(value, int) and value >= risk.min_value:
            triggered.append(risk.item)
    return triggered


def _flag_on(rule: FlagRule, instrument: Instrument, answers: dict[str, int], total: int) -> bool:
    scored = [answers[item.id] for item in instrument.scored_items]
    if rule.when == "any_item_at_most":
        return any(value <= rule.value for value in scored)
    if rule.when == "any_item_at_least":
        return any(value >= rule.value for value in scored)
    if rule.when == "total_at_most":
        return total <= rule.value
    return total >= rule.value
