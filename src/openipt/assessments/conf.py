"""The service's measurement settings as the pure package's types, read at call time."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from openipt.measures import Instrument, OutcomeSettings, get_instrument, register_instrument
from openipt.measures.fhir_codes import DEFAULT_BASE
from openipt.measures.schedule import MeasureSchedule
from openipt.measures.scoring import is_valid_answer, risk_items_in


@dataclass(frozen=True)
class RiskRule:
    """An item whose answer at or above `min_value` raises an alert."""

    instrument: str
    item: str
    min_value: int


def schedule() -> MeasureSchedule:
    """Return the service's measurement cadence."""
    return MeasureSchedule(
        cadence=getattr(settings, "OPENIPT_MEASURE_CADENCE", "every_session"),
        n=getattr(settings, "OPENIPT_MEASURE_EVERY_N", 4),
    )


def scheduled_instruments() -> tuple[str, ...]:
    """Return the codes of the questionnaires due at a scheduled session."""
    return tuple(getattr(settings, "OPENIPT_MEASURE_INSTRUMENTS", ("phq9", "gad7")))


def outcome_settings() -> OutcomeSettings:
    """Return the outcome rules in force for this service."""
    return OutcomeSettings(
        sd_pre=getattr(settings, "OPENIPT_RCI_SD", {}),
        reliability=getattr(settings, "OPENIPT_RCI_RELIABILITY", {}),
        reliable_improvement_rule=getattr(
            settings, "OPENIPT_RELIABLE_IMPROVEMENT_RULE", "one_improves_none_deteriorates"
        ),
        reliable_deterioration_rule=getattr(
            settings, "OPENIPT_RELIABLE_DETERIORATION_RULE", "any_deteriorates"
        ),
        review_fraction=getattr(settings, "OPENIPT_NOT_ON_TRACK_REVIEW_FRACTION", 0.5),
    )


def curves_min_courses() -> int:
    return int(getattr(settings, "OPENIPT_EXPECTED_CURVES_MIN_COURSES", 20))


def curves_sample() -> int:
    """How many of the most recent finished courses the expected curves are fitted on."""
    return int(getattr(settings, "OPENIPT_EXPECTED_CURVES_SAMPLE", 5000))


def fhir_base() -> str:
    return str(getattr(settings, "OPENIPT_FHIR_BASE", DEFAULT_BASE))


def crisis_text() -> str:
    return str(getattr(settings, "OPENIPT_CRISIS_TEXT", ""))


def crisis_contacts() -> list[str]:
    """Return the service's own crisis contacts ("Name: number"), in the order given."""
    return list(settings.OPENIPT_CRISIS_CONTACTS)


def risk_rules(instrument: Instrument) -> list[RiskRule]:
    """Return the instrument's own risk items plus those the service added."""
    rules = [RiskRule(instrument.code, r.item, r.min_value) for r in instrument.risk_items]
    for code, item, min_value in getattr(settings, "OPENIPT_RISK_ITEMS", ()):
        if code == instrument.code and (item, min_value) not in {
            (r.item, r.min_value) for r in rules
        }:
            rules.append(RiskRule(code, item, min_value))
    return rules


def triggered_risks(instrument: Instrument, answers: object) -> list[tuple[str, int]]:
    """Return (item, value) for each risk item hit by raw answers, before full validation.

    The instrument's own risk items come from `measures.scoring.risk_items_in`, which judges
    each risk item on its own, so one bad answer elsewhere cannot hide a risk answer. Items
    the service added are judged the same way: only a valid answer to the item counts.
    """
    if not isinstance(answers, dict):
        return []
    hits: dict[str, int] = {
        item_id: answers[item_id] for item_id in risk_items_in(instrument, answers)
    }
    for rule in risk_rules(instrument):
        item = instrument.item(rule.item)
        value = answers.get(rule.item)
        if item is None or rule.item in hits or not is_valid_answer(item, value):
            continue
        if isinstance(value, int) and value >= rule.min_value:
            hits[rule.item] = value
    order = [item.id for item in instrument.items]
    return sorted(hits.items(), key=lambda hit: order.index(hit[0]))


def check_configuration() -> None:
    """Load the service's instrument files and check every configured code; fail loudly."""
    for path in getattr(settings, "OPENIPT_INSTRUMENT_FILES", ()):
        register_instrument(path)
    for code in scheduled_instruments():
        _instrument_or_fail(code, "OPENIPT_MEASURE_INSTRUMENTS")
    for code, item_id, min_value in getattr(settings, "OPENIPT_RISK_ITEMS", ()):
        instrument = _instrument_or_fail(code, "OPENIPT_RISK_ITEMS")
        item = instrument.item(item_id)
        if item is None or min_value not in item.values():
            raise ImproperlyConfigured(
                f"OPENIPT_RISK_ITEMS: {code}:{item_id}:{min_value} is not an item and answer "
                f"of {instrument.name}"
            )


def _instrument_or_fail(code: str, setting: str) -> Instrument:
    try:
        return get_instrument(code)
    except KeyError:
        raise ImproperlyConfigured(f"{setting}: unknown instrument {code!r}") from None
