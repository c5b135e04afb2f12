"""Pydantic schema of an instrument file: what a questionnaire is, as validated data.

An instrument is data, not code, so that a service can add its own (a licensed scale, say)
through the same checks as the built-in ones. Every clinical fact carries the source tags of
docs `measures.md` ([S57] ...), so a reviewer can trace each number to where it came from.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

Direction = Literal["higher_is_worse", "higher_is_better"]
FlagWhen = Literal["any_item_at_most", "any_item_at_least", "total_at_most", "total_at_least"]

SourceTag = Annotated[StrictStr, Field(pattern=r"^S\d+[a-z]?$")]
Sources = Annotated[tuple[SourceTag, ...], Field(min_length=1)]
Code = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$")]
LoincCode = Annotated[StrictStr, Field(pattern=r"^\d{1,7}-\d$")]
LoincAnswerCode = Annotated[StrictStr, Field(pattern=r"^LA\d{1,7}-\d$")]
# Item ids double as FHIR linkIds, so keep them to characters that need no escaping.
ItemId = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Text = Annotated[StrictStr, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    """One answer an item accepts: the scored value, its wording and its answer code."""

    value: StrictInt
    label: Text
    code: LoincAnswerCode | None = None


class Item(_Model):
    """One question of an instrument."""

    id: ItemId
    text: Text
    loinc: LoincCode | None = None
    required: StrictBool = True
    scored: StrictBool = True
    options: Annotated[tuple[Option, ...], Field(min_length=2)]
    sources: Sources

    _values: tuple[int, ...] = PrivateAttr(default=())

    def model_post_init(self, context: object, /) -> None:
        """Sort the accepted values once: scoring checks every answer against them."""
        self._values = tuple(sorted(o.value for o in self.options))

    @model_validator(mode="after")
    def _check_options(self) -> Item:
        values = [o.value for o in self.options]
        labels = [o.label for o in self.options]
        codes = [o.code for o in self.options if o.code is not None]
        for name, seen in (("value", values), ("label", labels), ("code", codes)):
            if len(set(seen)) != len(seen):
                raise ValueError(f"options: duplicate option {name} in item {self.id}")
        if self.scored and not self.required:
            # The missing-item rule is UNCONFIRMED (measures.md §1), so nothing is prorated.
            raise ValueError(f"item {self.id}: a scored item must be required")
        return self

    def values(self) -> tuple[int, ...]:
        """Return the accepted answer values, lowest first."""
        return self._values


class ScoreRange(_Model):
    """Lowest and highest possible total."""

    min: StrictInt
    max: StrictInt


class Band(_Model):
    """A severity band: an inclusive range of totals with a code and a label."""

    code: Code
    label: Text
    min: StrictInt
    max: StrictInt
    sources: Sources


class RiskItem(_Model):
    """An item whose answer at or above `min_value` must reach a clinician."""

    item: ItemId
    min_value: StrictInt
    message: Text
    sources: Sources


class FlagRule(_Model):
    """A screening flag that is not a suicide-risk item (e.g. WHO-5 item at 0 or 1)."""

    code: Code
    when: FlagWhen
    value: StrictInt
    message: Text
    sources: Sources


class SourcedInt(_Model):
    """An integer rule together with the sources that state it."""

    value: StrictInt
    sources: Sources


class SourcedFloat(_Model):
    """A real-valued rule together with the sources that state it."""

    value: StrictFloat
    sources: Sources


class Loinc(_Model):
    """LOINC codes of the panel and of the total score, where sourced."""

    panel: LoincCode | None = None
    total: LoincCode | None = None
    sources: tuple[SourceTag, ...] = ()


class Lookup:
    """Indexes of an instrument's items, built once per definition."""

    __slots__ = ("by_id", "rows", "scored", "scored_ids")

    def __init__(self, items: tuple[Item, ...]) -> None:
        self.by_id: dict[str, Item] = {item.id: item for item in items}
        # (id, required, accepted values) per item, in order: the scoring hot path.
        self.rows: tuple[tuple[str, bool, frozenset[int]], ...] = tuple(
            (item.id, item.required, frozenset(o.value for o in item.options)) for item in items
        )
        self.scored: tuple[Item, ...] = tuple(item for item in items if item.scored)
        self.scored_ids: tuple[str, ...] = tuple(item.id for item in self.scored)


class Instrument(_Model):
    """A versioned questionnaire definition. A published version is never edited in place."""

    code: Code
    version: Annotated[StrictStr, Field(pattern=r"^\d+(\.\d+)*$")]
    name: Text
    description: Text
    direction: Direction
    look_back_days: StrictInt | None = None
    stem: Text | None = None
    items: Annotated[tuple[Item, ...], Field(min_length=1)]
    total: ScoreRange
    bands: tuple[Band, ...] = ()
    risk_items: tuple[RiskItem, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    percentage_multiplier: SourcedInt | None = None
    reliability: SourcedFloat | None = None
    reliable_change: SourcedInt | None = None
    mid: SourcedInt | None = None
    caseness_cutoff: SourcedInt | None = None
    remission_below: SourcedInt | None = None
    loinc: Loinc = Loinc()
    licence: Text
    attribution: Text
    sources: Sources
    notes: tuple[Text, ...] = ()

    _lookup: Lookup | None = PrivateAttr(default=None)
    _hash: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _check(self) -> Instrument:
        problems = _structure_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def model_post_init(self, context: object, /) -> None:
        """Index items and fix the content hash once: scoring looks them up per answer."""
        self._lookup = Lookup(self.items)
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        self._hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def key(self) -> tuple[str, str]:
        """Return (code, version), the identity of a published definition."""
        return (self.code, self.version)

    @property
    def content_hash(self) -> str:
        """Return the SHA-256 of the canonical JSON form of this definition."""
        return self._hash

    @property
    def scored_items(self) -> tuple[Item, ...]:
        """Return the items that count towards the total."""
        return self.lookup.scored

    @property
    def lookup(self) -> Lookup:
        """Return plain-Python indexes; hot loops read this once instead of model attributes."""
        assert self._lookup is not None
        return self._lookup

    def item(self, item_id: str) -> Item | None:
        """Return the item with this id, or None."""
        return self.lookup.by_id.get(item_id)

    def band_for(self, total: int) -> Band | None:
        """Return the band that holds `total`, or None when the instrument has no bands."""
        for band in self.bands:
            if band.min <= total <= band.max:
                return band
        return None


def _structure_problems(inst: Instrument) -> list[str]:
    """Return every structural problem: ids, total range, bands, risk items, flags, rules."""
    problems: list[str] = []
    ids = [item.id for item in inst.items]
    if len(set(ids)) != len(ids):
        problems.append("items: duplicate item id")
    scored = [item for item in inst.items if item.scored]
    if not scored:
        problems.append("items: at least one item must be scored")
    else:
        low = sum(min(item.values()) for item in scored)
        high = sum(max(item.values()) for item in scored)
        if (inst.total.min, inst.total.max) != (low, high):
            problems.append(
                f"total: range {inst.total.min}-{inst.total.max} does not match the scored "
                f"items ({low}-{high})"
            )
    problems += _band_problems(inst)
    by_id = {item.id: item for item in inst.items}
    for risk in inst.risk_items:
        item = by_id.get(risk.item)
        if item is None:
            problems.append(f"risk_items: unknown item {risk.item}")
        elif risk.min_value not in item.values():
            problems.append(f"risk_items: min_value {risk.min_value} is not an answer of {item.id}")
    for flag in inst.flags:
        if flag.when.startswith("total") and not inst.total.min <= flag.value <= inst.total.max:
            problems.append(f"flags: {flag.code} value {flag.value} is outside the total range")
    for name in ("caseness_cutoff", "remission_below"):
        rule = getattr(inst, name)
        if rule is not None and not inst.total.min <= rule.value <= inst.total.max:
            problems.append(f"{name}: {rule.value} is outside the total range")
    for name in ("reliable_change", "mid", "percentage_multiplier"):
        rule = getattr(inst, name)
        if rule is not None and rule.value <= 0:
            problems.append(f"{name}: must be positive")
    if inst.reliability is not None and not 0 < inst.reliability.value < 1:
        problems.append("reliability: must lie strictly between 0 and 1")
    return problems


def _band_problems(inst: Instrument) -> list[str]:
    """Check that bands are ordered, contiguous and cover the total range exactly."""
    bands = inst.bands
    if not bands:
        return []
    problems: list[str] = []
    codes = [band.code for band in bands]
    if len(set(codes)) != len(codes):
        problems.append("bands: duplicate band code")
    if bands[0].min != inst.total.min:
        problems.append(f"bands: first band starts at {bands[0].min}, not {inst.total.min}")
    if bands[-1].max != inst.total.max:
        problems.append(f"bands: last band ends at {bands[-1].max}, not {inst.total.max}")
    for band in bands:
        if band.min > band.max:
            problems.append(f"bands: {band.code} has min {band.min} above max {band.max}")
    for before, after in itertools.pairwise(bands):
        if after.min != before.max + 1:
            kind = "gap" if after.min > before.max + 1 else "overlap"
            problems.append(f"bands: {kind} between {before.code} and {after.code}")
    return problems
