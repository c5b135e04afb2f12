"""Code systems for the FHIR mapping, and `check_codes`, our own check of codes and statuses.

fhir.resources validates structure but accepts any code or status string (design.md), so a
resource built or received elsewhere is checked here against the instrument tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from openipt.measures.registry import InstrumentRegistry, default_registry
from openipt.measures.schema import Instrument, Item, Option

LOINC = "http://loinc.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Canonical base of OpenIPT's own Questionnaires and local code systems; a service may pass its own.
DEFAULT_BASE = "https://openipt.org/fhir"

STATUSES = {
    "Questionnaire": {"draft", "active", "retired", "unknown"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
    "Observation": {
        "registered", "preliminary", "final", "amended",
        "corrected", "cancelled", "entered-in-error", "unknown",
    },
}  # fmt: skip


def canonical_url(instrument: Instrument, base: str = DEFAULT_BASE) -> str:
    """Return the canonical URL of the instrument's Questionnaire (version goes after '|')."""
    return f"{base}/Questionnaire/{instrument.code}"


def answer_system(instrument: Instrument, base: str = DEFAULT_BASE) -> str:
    """Return the local code system for answers that have no LOINC answer code."""
    return f"{base}/CodeSystem/{instrument.code}-answers"


def band_system(instrument: Instrument, base: str = DEFAULT_BASE) -> str:
    """Return the local code system of the instrument's severity bands."""
    return f"{base}/CodeSystem/{instrument.code}-bands"


def score_system(base: str = DEFAULT_BASE) -> str:
    """Return the local code system for totals that have no LOINC code."""
    return f"{base}/CodeSystem/scores"


def local_total_code(instrument: Instrument) -> str:
    """Return the local code of an instrument's total."""
    return f"{instrument.code}-total"


def check_codes(
    resource_json: dict[str, Any] | str | Any,
    registry: InstrumentRegistry | None = None,
    base: str = DEFAULT_BASE,
) -> list[str]:
    """Return every wrong code or status in a resource (or Bundle); [] when all are right."""
    resource = _as_dict(resource_json)
    registry = registry or default_registry()
    return _check(resource, registry, base, resource.get("resourceType", "?"))


def _as_dict(resource: dict[str, Any] | str | Any) -> dict[str, Any]:
    if isinstance(resource, str):
        return dict(json.loads(resource))
    if isinstance(resource, dict):
        return resource
    return dict(json.loads(resource.model_dump_json()))


def option_key(instrument: Instrument, option: Option, base: str = DEFAULT_BASE) -> tuple[str, str]:
    """Return the (system, code) that codes an answer option in FHIR."""
    if option.code is not None:
        return (LOINC, option.code)
    return (answer_system(instrument, base), str(option.value))


def _check(resource: dict[str, Any], registry: InstrumentRegistry, base: str, at: str) -> list[str]:
    kind = resource.get("resourceType")
    if kind == "Bundle":
        problems = []
        for index, entry in enumerate(resource.get("entry") or []):
            inner = entry.get("resource") or {}
            problems += _check(inner, registry, base, f"{at}.entry[{index}].resource")
        return problems
    checker: Callable[..., list[str]] | None = _CHECKERS.get(str(kind))
    if checker is None:
        return [f"{at}: resourceType {kind!r} is not one OpenIPT checks"]
    problems = []
    status = resource.get("status")
    if status not in STATUSES[str(kind)]:
        problems.append(f"{at}.status: {status!r} is not an allowed {kind} status")
    return problems + checker(resource, registry, base, at)


def _instrument_from_canonical(
    url: str | None, version: str | None, registry: InstrumentRegistry, base: str
) -> Instrument | None:
    prefix = f"{base}/Questionnaire/"
    if not url or not url.startswith(prefix) or not version:
        return None
    try:
        return registry.get(url.removeprefix(prefix), version)
    except KeyError:
        return None


def _check_questionnaire(
    resource: dict[str, Any], registry: InstrumentRegistry, base: str, at: str
) -> list[str]:
    instrument = _instrument_from_canonical(
        resource.get("url"), resource.get("version"), registry, base
    )
    if instrument is None:
        return [
            f"{at}.url: {resource.get('url')!r} version {resource.get('version')!r} "
            "is not a known instrument"
        ]
    problems = []
    for coding in resource.get("code") or []:
        if coding.get("system") == LOINC and coding.get("code") != instrument.loinc.panel:
            problems.append(
                f"{at}.code: LOINC {coding.get('code')} is not the {instrument.name} panel code"
            )
    for index, entry in enumerate(resource.get("item") or []):
        where = f"{at}.item[{index}]"
        item = instrument.item(str(entry.get("linkId")))
        if item is None:
            problems.append(f"{where}.linkId: {entry.get('linkId')!r} is not an item")
            continue
        for coding in entry.get("code") or []:
            if coding.get("system") == LOINC and coding.get("code") != item.loinc:
                problems.append(
                    f"{where}.code: LOINC {coding.get('code')} is not the code "
                    f"of item {item.id} ({item.loinc})"
                )
        for n, option in enumerate(entry.get("answerOption") or []):
            problems += _check_coding(
                instrument, item, option.get("valueCoding"), base, f"{where}.answerOption[{n}]"
            )
    return problems


def _check_response(
    resource: dict[str, Any], registry: InstrumentRegistry, base: str, at: str
) -> list[str]:
    url, _, version = str(resource.get("questionnaire") or "").partition("|")
    instrument = _instrument_from_canonical(url, version, registry, base)
    if instrument is None:
        return [f"{at}.questionnaire: {resource.get('questionnaire')!r} is not a known instrument"]
    problems = []
    for index, entry in enumerate(resource.get("item") or []):
        where = f"{at}.item[{index}]"
        item = instrument.item(str(entry.get("linkId")))
        if item is None:
            problems.append(f"{where}.linkId: {entry.get('linkId')!r} is not an item")
            continue
        for n, answer in enumerate(entry.get("answer") or []):
            problems += _check_coding(
                instrument, item, answer.get("valueCoding"), base, f"{where}.answer[{n}]"
            )
    return problems


def _check_coding(
    instrument: Instrument, item: Item, coding: dict[str, Any] | None, base: str, where: str
) -> list[str]:
    """Check one answer coding: a known answer of this item, with the right ordinalValue."""
    if not coding:
        return [f"{where}.valueCoding: missing"]
    system, code = coding.get("system"), coding.get("code")
    keys = {option_key(instrument, o, base): o for o in item.options}
    option = keys.get((str(system), str(code)))
    if option is None:
        return [
            f"{where}.valueCoding: {system} {code} is not an answer of "
            f"{instrument.name} item {item.id}"
        ]
    ordinals = [
        ext.get("valueDecimal")
        for ext in coding.get("extension") or []
        if ext.get("url") == ORDINAL_VALUE
    ]
    if any(value != option.value for value in ordinals):
        return [
            f"{where}.valueCoding: ordinalValue {ordinals} does not match {option.value} for {code}"
        ]
    return []


def _total_instrument(
    codings: list[dict[str, Any]], registry: InstrumentRegistry, base: str
) -> tuple[Instrument | None, list[str]]:
    unknown = []
    for coding in codings:
        system, code = coding.get("system"), coding.get("code")
        for instrument in registry.all():
            if (system == LOINC and code == instrument.loinc.total) or (
                system == score_system(base) and code == local_total_code(instrument)
            ):
                return instrument, []
        unknown.append(f"{system} {code}")
    return None, unknown


def _check_observation(
    resource: dict[str, Any], registry: InstrumentRegistry, base: str, at: str
) -> list[str]:
    codings = (resource.get("code") or {}).get("coding") or []
    instrument, unknown = _total_instrument(codings, registry, base)
    if instrument is None:
        shown = ", ".join(unknown) or "no coding"
        return [f"{at}.code: {shown} is not the total score code of a known instrument"]
    problems = []
    value = resource.get("valueInteger")
    if value is None:
        value = (resource.get("valueQuantity") or {}).get("value")
    if not isinstance(value, int | float) or not (
        instrument.total.min <= value <= instrument.total.max
    ):
        problems.append(f"{at}.value: {value!r} is outside the {instrument.name} total range")
    for concept in resource.get("interpretation") or []:
        for coding in concept.get("coding") or []:
            if coding.get("system") == band_system(instrument, base):
                band = instrument.band_for(int(value)) if isinstance(value, int | float) else None
                if band is None or coding.get("code") != band.code:
                    problems.append(
                        f"{at}.interpretation: band {coding.get('code')!r} does not "
                        f"match the total {value!r}"
                    )
    return problems


_CHECKERS: dict[str, Callable[..., list[str]]] = {
    "Questionnaire": _check_questionnaire,
    "QuestionnaireResponse": _check_response,
    "Observation": _check_observation,
}
