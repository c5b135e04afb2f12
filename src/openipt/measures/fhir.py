"""FHIR R4B resources for instruments, completed forms and totals.

Questionnaire -> QuestionnaireResponse -> Observation (total, derivedFrom the response), the
pattern of US Core and the MII PRO module [S103], [S106]. Items and totals carry LOINC codes
where sourced (measures.md §15); otherwise OpenIPT's local code systems under `base`.
fhir.resources does not check codes, so `check_codes` (in fhir_codes.py) does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
)
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference

from openipt.measures.fhir_codes import (
    DEFAULT_BASE,
    LOINC,
    OBSERVATION_CATEGORY,
    ORDINAL_VALUE,
    band_system,
    canonical_url,
    check_codes,
    local_total_code,
    option_key,
    score_system,
)
from openipt.measures.schema import Instrument, Item, Option
from openipt.measures.scoring import Score, validate_answers

__all__ = [
    "DEFAULT_BASE",
    "check_codes",
    "questionnaire",
    "questionnaire_response",
    "total_observation",
]


def _option_coding(instrument: Instrument, option: Option, base: str) -> Coding:
    """Code an answer: its LOINC answer code, or a local code; the score rides as ordinalValue."""
    system, code = option_key(instrument, option, base)
    ordinal = Extension(url=ORDINAL_VALUE, valueDecimal=Decimal(option.value))
    return Coding(system=system, code=code, display=option.label, extension=[ordinal])


def _item_codes(item: Item) -> list[Coding] | None:
    # No display: LOINC's long names are not quoted in the sources; item.text carries the wording.
    return [Coding(system=LOINC, code=item.loinc)] if item.loinc else None


def questionnaire(instrument: Instrument, base: str = DEFAULT_BASE) -> Questionnaire:
    """Return the instrument as a Questionnaire with LOINC-coded items and ordinal answers."""
    panel = instrument.loinc.panel
    return Questionnaire(
        id=f"{instrument.code}-{instrument.version}",
        url=canonical_url(instrument, base),
        version=instrument.version,
        name=instrument.code.upper(),
        title=instrument.name,
        status="active",
        description=instrument.description,
        copyright=f"{instrument.licence} {instrument.attribution}",
        code=[Coding(system=LOINC, code=panel)] if panel else None,
        item=[
            QuestionnaireItem(
                linkId=item.id,
                text=item.text,
                type="choice",
                required=item.required,
                code=_item_codes(item),
                answerOption=[
                    QuestionnaireItemAnswerOption(
                        valueCoding=_option_coding(instrument, option, base)
                    )
                    for option in item.options
                ],
            )
            for item in instrument.items
        ],
    )


def questionnaire_response(
    instrument: Instrument,
    answers: Mapping[str, object],
    authored: datetime,
    subject_ref: str,
    id: str,  # FHIR's own name for the logical id
    base: str = DEFAULT_BASE,
) -> QuestionnaireResponse:
    """Return a completed QuestionnaireResponse; answers are validated as for scoring."""
    _require_aware(authored, "authored")
    normalised = validate_answers(instrument, answers)
    items = []
    for item in instrument.items:
        if item.id not in normalised:
            continue
        option = next(o for o in item.options if o.value == normalised[item.id])
        items.append(
            QuestionnaireResponseItem(
                linkId=item.id,
                text=item.text,
                answer=[
                    QuestionnaireResponseItemAnswer(
                        valueCoding=_option_coding(instrument, option, base)
                    )
                ],
            )
        )
    return QuestionnaireResponse(
        id=id,
        questionnaire=f"{canonical_url(instrument, base)}|{instrument.version}",
        status="completed",
        subject=Reference(reference=subject_ref),
        authored=authored,
        item=items,
    )


def total_observation(
    instrument: Instrument,
    score: Score,
    effective: datetime,
    subject_ref: str,
    qr_ref: str,
    id: str,  # FHIR's own name for the logical id
    base: str = DEFAULT_BASE,
) -> Observation:
    """Return the total as an Observation derived from its QuestionnaireResponse."""
    _require_aware(effective, "effective")
    if (score.instrument, score.version) != instrument.key:
        raise ValueError(
            f"score is for {score.instrument} {score.version}, not "
            f"{instrument.code} {instrument.version}"
        )
    if instrument.loinc.total:
        code = Coding(system=LOINC, code=instrument.loinc.total)
    else:
        code = Coding(
            system=score_system(base),
            code=local_total_code(instrument),
            display=f"{instrument.name} total",
        )
    interpretation = None
    if score.band is not None:
        band = Coding(
            system=band_system(instrument, base), code=score.band, display=score.band_label
        )
        interpretation = [CodeableConcept(coding=[band], text=score.band_label)]
    return Observation(
        id=id,
        status="final",
        category=[CodeableConcept(coding=[Coding(system=OBSERVATION_CATEGORY, code="survey")])],
        code=CodeableConcept(coding=[code], text=f"{instrument.name} total"),
        subject=Reference(reference=subject_ref),
        effectiveDateTime=effective,
        valueInteger=score.total,
        interpretation=interpretation,
        derivedFrom=[Reference(reference=qr_ref)],
    )


def _require_aware(moment: datetime, name: str) -> None:
    # A FHIR dateTime with a time must carry a time zone.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
