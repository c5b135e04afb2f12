"""Item-by-item answers whose totals follow a trajectory, scored by the measures package.

A bank holds, for every total and every answer to the risk item, a handful of answer
patterns. Each pattern is scored once with `openipt.measures.scoring.score` and checked
against the service's risk rules (`openipt.assessments.conf.triggered_risks`), so the stored
total, band, flags, risk items and alerts are exactly what the assessments area would store
for those answers; picking a pattern is then one random choice per questionnaire.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass

from django.conf import settings

from openipt.assessments import conf
from openipt.measures import Instrument, get_instrument
from openipt.measures.scoring import score

PATTERNS_PER_KEY = 24
# Weights of the scored items when spreading a total over them: the first two items of the
# PHQ-9 and GAD-7 (the PHQ-2 and GAD-2 core questions) a little more often, so the patterns
# are not uniform. A generator choice, not a clinical claim.
CORE_WEIGHT = 1.3
# The item-9 probability is scaled by total / REFERENCE_TOTAL so that the overall share of
# PHQ-9s with item 9 above 0 stays near the configured rate while rising with severity.
REFERENCE_TOTAL = 12.0


@dataclass
class Pattern:
    """One way of answering an instrument, with what the assessments area would store."""

    total: int
    band: str
    risk_items: str  # JSON list, as Administration.risk_items
    flags: str  # JSON list, as Administration.flags
    alerts: tuple[tuple[str, int], ...]  # (item, value) of each risk answer
    items: tuple[tuple[str, int, int, bool], ...]  # (item, position, value, scored)

    @functools.cached_property
    def columns(self) -> tuple[tuple[object, ...], ...]:
        """The item answers column by column, to zip with an administration id."""
        return tuple(zip(*self.items, strict=True))

    @functools.cached_property
    def size(self) -> int:
        return len(self.items)


class InstrumentBank:
    """Answer patterns of one instrument keyed by (total, answer to its risk item)."""

    def __init__(self, instrument: Instrument, rng: random.Random) -> None:
        self.instrument = instrument
        self.code = instrument.code
        self.version = instrument.version
        scored = [item for item in instrument.items if item.scored]
        risk = instrument.risk_items[0].item if instrument.risk_items else None
        self.risk_item = risk
        risk_item = instrument.item(risk) if risk else None
        self.risk_max = max(risk_item.values()) if risk_item else 0
        self._others = [item for item in scored if item.id != risk]
        self._lowest = {item.id: min(item.values()) for item in self._others}
        self._highest = {item.id: max(item.values()) for item in self._others}
        self._other_max = sum(self._highest.values())
        self.max_total = instrument.total.max
        self.patterns: dict[tuple[int, int], list[Pattern]] = {}
        for total in range(instrument.total.min, instrument.total.max + 1):
            for value in range(self.risk_max + 1):
                if 0 <= total - value <= self._other_max:
                    self.patterns[(total, value)] = [
                        self._pattern(total, value, rng) for _ in range(PATTERNS_PER_KEY)
                    ]

    def pick(self, total: int, risk_value: int, rng: random.Random) -> Pattern:
        """Return a pattern with this total; the risk answer is lowered if it cannot fit."""
        total = min(max(total, 0), self.max_total)
        value = min(risk_value, total, self.risk_max)
        value = max(value, total - self._other_max)
        found = self.patterns[(total, value)]
        return found[int(rng.random() * len(found))]

    def _pattern(self, total: int, risk_value: int, rng: random.Random) -> Pattern:
        values = dict(self._lowest)
        weights = [CORE_WEIGHT if n < 2 else 1.0 for n in range(len(self._others))]
        left = total - risk_value - sum(values.values())
        while left > 0:
            open_ids = [
                (item.id, weight)
                for item, weight in zip(self._others, weights, strict=True)
                if values[item.id] < self._highest[item.id]
            ]
            item_id = rng.choices([i for i, _ in open_ids], [w for _, w in open_ids])[0]
            values[item_id] += 1
            left -= 1
        answers: dict[str, object] = dict(values)
        if self.risk_item:
            answers[self.risk_item] = risk_value
        for item in self.instrument.items:
            if not item.scored:  # e.g. the PHQ-9 difficulty item, following the severity
                options = item.values()
                share = total / self.max_total if self.max_total else 0
                index = round(share * (len(options) - 1) + rng.uniform(-0.5, 0.5))
                answers[item.id] = options[min(max(index, 0), len(options) - 1)]
        result = score(self.instrument, answers)
        alerts = tuple(conf.triggered_risks(self.instrument, dict(result.answers)))
        items = tuple(
            (item.id, position, result.answers[item.id], item.scored)
            for position, item in enumerate(self.instrument.items, start=1)
            if item.id in result.answers
        )
        return Pattern(
            total=result.total,
            band=result.band or "",
            risk_items=json.dumps([item for item, _ in alerts]),
            flags=json.dumps(list(result.flags)),
            alerts=alerts,
            items=items,
        )


class AnswerBank:
    """The banks of the instruments a course gives, built once per seed and risk rules."""

    def __init__(self, codes: tuple[str, ...], seed: int) -> None:
        rules = tuple(tuple(r) for r in getattr(settings, "OPENIPT_RISK_ITEMS", ()))
        self.banks = _banks(codes, seed, rules)


@functools.lru_cache(maxsize=4)
def _banks(
    codes: tuple[str, ...], seed: int, risk_rules: tuple[tuple[object, ...], ...]
) -> dict[str, InstrumentBank]:
    """Build the banks (the service's risk rules are part of the key: they decide alerts)."""
    rng = random.Random(f"answers:{seed}")  # noqa: S311 - synthetic data, not secrets
    return {code: InstrumentBank(get_instrument(code), rng) for code in codes}


def draw_risk(
    rng: random.Random, total: int, rate: float, split: tuple[float, float, float]
) -> int:
    """Return an answer to the risk item: above 0 more often the higher the total."""
    chance = min(0.95, rate * total / REFERENCE_TOTAL)
    if total <= 0 or rng.random() >= chance:
        return 0
    return rng.choices((1, 2, 3), split)[0]
