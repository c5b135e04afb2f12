"""Course outcomes: per-instrument change and the NHS Talking Therapies definitions.

Each result is a dict of booleans, or None where the rule cannot be computed (a single score,
no rule for this instrument, or a person outside the rule's denominator).
"""

from __future__ import annotations

from typing import Any

from openipt.measures.change import ChangeClass, mid_met, reliable_change, response
from openipt.measures.registry import get_instrument
from openipt.measures.schema import Instrument
from openipt.measures.settings import OutcomeSettings

__all__ = ["OutcomeSettings", "instrument_outcome", "talking_therapies"]

INSTRUMENT_OUTCOME_KEYS = (
    "baseline", "latest", "change", "response", "remission",
    "reliable_improvement", "reliable_deterioration", "mid_met",
)  # fmt: skip
TALKING_THERAPIES_KEYS = (
    "caseness", "finished", "recovery",
    "reliable_improvement", "reliable_deterioration", "reliable_recovery",
)  # fmt: skip


def _check_range(instrument: Instrument, **scores: int | None) -> None:
    for name, value in scores.items():
        if value is None:
            continue
        if type(value) is not int or not instrument.total.min <= value <= instrument.total.max:
            raise ValueError(
                f"{name}: {value!r} is not a {instrument.name} total "
                f"({instrument.total.min}-{instrument.total.max})"
            )


def instrument_outcome(
    instrument: Instrument,
    baseline: int | None,
    latest: int | None,
    settings: OutcomeSettings | None = None,
) -> dict[str, Any]:
    """Return baseline, latest, change and the change rules for one instrument.

    `change` is latest - baseline (raw, in the instrument's own direction). `remission` is
    defined only where the instrument has a remission rule (PHQ-9 < 5 [S73], [S74]).
    """
    settings = settings or OutcomeSettings()
    _check_range(instrument, baseline=baseline, latest=latest)
    remission_rule = instrument.remission_below
    result: dict[str, Any] = {
        "baseline": baseline,
        "latest": latest,
        "change": None,
        "response": None,
        "remission": latest < remission_rule.value
        if remission_rule is not None and latest is not None
        else None,
        "reliable_improvement": None,
        "reliable_deterioration": None,
        "mid_met": None,
    }
    if baseline is None or latest is None:
        return result
    status = reliable_change(instrument, baseline, latest, settings)
    result.update(
        change=latest - baseline,
        response=response(baseline, latest, instrument.direction, settings.response_fraction),
        reliable_improvement=None if status is None else status == "improved",
        reliable_deterioration=None if status is None else status == "deteriorated",
        mid_met=mid_met(baseline, latest, settings.mid(instrument), instrument.direction),
    )
    return result


def talking_therapies(
    phq9_first: int | None,
    phq9_last: int | None,
    gad7_first: int | None,
    gad7_last: int | None,
    treatment_sessions: int | None,
    settings: OutcomeSettings | None = None,
) -> dict[str, bool | None]:
    """Return NHS Talking Therapies caseness, finished, recovery and reliable change.

    Definitions [S80], [S81], [S83], [S87]. The PHQ-9 is required. The GAD-7 counts at the
    start whenever given; for anything comparing first and last it counts only as a pair, and
    without a pair the PHQ-9 is used alone. Recovery is defined only for a finished course
    at caseness at the start; if caseness came from the GAD-7 alone and there is no last
    GAD-7, recovery is None. Reliable change uses the fixed thresholds, as NHS TT does.
    """
    settings = settings or OutcomeSettings()
    phq9, gad7 = get_instrument("phq9"), get_instrument("gad7")
    _check_range(phq9, phq9_first=phq9_first, phq9_last=phq9_last)
    _check_range(gad7, gad7_first=gad7_first, gad7_last=gad7_last)
    result: dict[str, bool | None] = dict.fromkeys(TALKING_THERAPIES_KEYS)
    if treatment_sessions is not None:
        result["finished"] = treatment_sessions >= settings.min_treatment_sessions
    if phq9_first is None:
        return result
    phq9_case = _at_caseness(phq9, phq9_first, settings)
    gad7_case = gad7_first is not None and _at_caseness(gad7, gad7_first, settings)
    result["caseness"] = phq9_case or gad7_case
    if phq9_last is None:
        return result
    pairs = [(phq9, phq9_first, phq9_last)]
    if gad7_first is not None and gad7_last is not None:
        pairs.append((gad7, gad7_first, gad7_last))
    statuses = [reliable_change(inst, a, b, settings, method="fixed") for inst, a, b in pairs]
    improved = _combine_improvement(statuses, settings)
    result["reliable_improvement"] = improved
    result["reliable_deterioration"] = _combine_deterioration(statuses, settings)
    gad7_unpaired_case = gad7_case and not phq9_case and len(pairs) == 1
    if result["caseness"] and result["finished"] and not gad7_unpaired_case:
        end_case = any(_at_caseness(inst, last, settings) for inst, _, last in pairs)
        result["recovery"] = not end_case
        result["reliable_recovery"] = not end_case and bool(improved)
    return result


def _at_caseness(instrument: Instrument, total: int, settings: OutcomeSettings) -> bool:
    cutoff = settings.caseness_cutoff(instrument)
    if cutoff is None:
        raise ValueError(f"no caseness cut-off is set for {instrument.code}")
    return total >= cutoff


def _combine_improvement(
    statuses: list[ChangeClass | None], settings: OutcomeSettings
) -> bool | None:
    """Combine per-measure reliable change by the configured (UNCONFIRMED) rule."""
    if any(status is None for status in statuses):
        return None
    rule = settings.reliable_improvement_rule
    improved = [status == "improved" for status in statuses]
    if rule == "any_improves":
        return any(improved)
    if rule == "all_improve":
        return all(improved)
    return any(improved) and "deteriorated" not in statuses


def _combine_deterioration(
    statuses: list[ChangeClass | None], settings: OutcomeSettings
) -> bool | None:
    """Combine per-measure reliable deterioration by the configured (UNCONFIRMED) rule."""
    if any(status is None for status in statuses):
        return None
    worse = [status == "deteriorated" for status in statuses]
    return all(worse) if settings.reliable_deterioration_rule == "all_deteriorate" else any(worse)
