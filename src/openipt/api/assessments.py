"""Questionnaires, outcomes, alerts, instruments and the FHIR export over REST.

No `from __future__ import annotations`: django-ninja reads the annotations at run time.
Answers are taken raw and validated by the service, so that `true` is never taken for 1 and
a risk answer still raises its alert when another answer is refused.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict, StrictInt, StrictStr
from pydantic.config import JsonDict

from openipt import policy
from openipt.api.schemas import responses
from openipt.assessments import conf, display, services
from openipt.assessments.access import get_administration, get_alert_for_user
from openipt.assessments.corrections import correct_answers
from openipt.assessments.fhir_export import course_bundle
from openipt.assessments.models import Administration, Alert
from openipt.courses.access import get_course_for_user
from openipt.courses.models import Session
from openipt.measures import all_instruments, get_instrument

router = Router(tags=["assessments"])

ANSWERS_SCHEMA: JsonDict = {
    "type": "object",
    "additionalProperties": {"type": "integer"},
    "description": 'Item id -> the answer option\'s value, e.g. {"1": 2, "9": 0}.',
}


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    instrument: StrictStr = Field(..., max_length=32, examples=["phq9"])
    answers: dict[str, Any] = Field(..., json_schema_extra=ANSWERS_SCHEMA)
    session_id: StrictInt | None = None
    completed_by: Literal["clinician", "client"] = "clinician"
    completed_on: date | None = Field(
        None,
        description="The day it was completed; by default the session's day, else today. "
        "Never in the future.",
    )


class AlertOut(Schema):
    id: int
    course_id: int
    administration_id: int | None
    instrument: str
    version: str
    item: str
    value: int
    text: str
    status: str
    raised_at: datetime
    action: str
    note: str
    resolved_at: datetime | None

    @staticmethod
    def resolve_text(obj: Alert) -> str:
        return display.alert_text(obj)


class AssessmentCreated(Schema):
    id: int
    instrument: str
    version: str
    total: int
    band: str | None
    band_label: str | None
    alerts: list[AlertOut]
    crisis_text: str | None
    crisis_contacts: list[str] | None = None


class AssessmentOut(Schema):
    id: int
    instrument: str
    version: str
    total: int
    band: str | None
    completed_by: str
    completed_at: datetime
    session_id: int | None
    answers: dict[str, int]
    risk_items: list[str]
    flags: list[str]

    @staticmethod
    def resolve_band(obj: Administration) -> str | None:
        return obj.band or None

    @staticmethod
    def resolve_answers(obj: Administration) -> dict[str, int]:
        return {answer.item: answer.value for answer in obj.item_answers.all()}


class InstrumentOutcome(Schema):
    baseline: int | None
    latest: int | None
    change: int | None
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    mid_met: bool | None
    scores: int


class CourseOutcome(Schema):
    caseness: bool | None
    recovery: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None
    finished: bool | None


class OutcomesOut(Schema):
    course_id: int
    instruments: dict[str, InstrumentOutcome]
    course: CourseOutcome
    not_on_track: bool
    measure_due: bool
    missed_sessions: list[int]
    missed_by_instrument: dict[str, list[int]]


class ResolveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["risk_assessed", "safety_plan", "contact_made", "escalated"]
    note: StrictStr = Field(..., min_length=1, max_length=5000)


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    id: str
    text: str
    required: bool
    scored: bool
    options: list[OptionOut]


class InstrumentSummary(Schema):
    code: str
    version: str
    name: str
    direction: str
    total_min: int
    total_max: int


class InstrumentOut(InstrumentSummary):
    stem: str | None
    look_back_days: int | None
    licence: str
    attribution: str
    items: list[ItemOut]


class CorrectionIn(Schema):
    """The corrected answers (every item, as for a new questionnaire) and why."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(..., json_schema_extra=ANSWERS_SCHEMA)
    reason: StrictStr = Field(..., max_length=1000, description="Why the answers are corrected.")
    completed_on: date | None = Field(
        None, description="The day it was completed, when that is corrected too."
    )


class CorrectionOut(Schema):
    assessment: AssessmentOut
    previous: dict[str, Any] = Field(
        ..., description="What changed, as it was: answers, total, band, completed_at."
    )
    alerts: list[AlertOut] = Field(..., description="Alerts the corrected answers raised.")
    still_open: list[AlertOut] = Field(
        ..., description="Alerts raised before that stay open: a correction never closes one."
    )


class AlertFilter(Schema):
    status: Literal["open", "resolved", "all"] = "open"


@router.post(
    "/courses/{course_id}/assessments",
    response=responses(AssessmentCreated, 201),
    summary="Record a completed questionnaire",
)
def create_assessment(request: HttpRequest, course_id: int, payload: AssessmentIn):
    course = get_course_for_user(request, course_id, write=True)
    session = None
    if payload.session_id is not None:
        session = Session.objects.filter(course=course, pk=payload.session_id).first()
        if session is None:
            raise ValidationError({"session_id": "No such session in this course."})
    done = services.submit_assessment(
        request.user,
        course,
        services.resolve_instrument(payload.instrument),
        payload.answers,
        session=session,
        completed_by=payload.completed_by,
        completed_on=payload.completed_on,
    )
    admin = done.administration
    band = get_instrument(admin.instrument, admin.version).band_for(admin.total)
    body = {
        "id": admin.pk,
        "instrument": admin.instrument,
        "version": admin.version,
        "total": admin.total,
        "band": band.code if band else None,
        "band_label": band.label if band else None,
        "alerts": done.alerts,
        "crisis_text": conf.crisis_text() if done.alerts else None,
        "crisis_contacts": conf.crisis_contacts() if done.alerts else None,
    }
    return Status(201, body)


@router.post(
    "/courses/{course_id}/assessments/{administration_id}/correction",
    response=responses(CorrectionOut),
    summary="Correct a questionnaire's answers (by the clinician who entered it) and rescore",
)
def correct_assessment(
    request: HttpRequest, course_id: int, administration_id: int, payload: CorrectionIn
):
    course = get_course_for_user(request, course_id, write=True)
    admin = get_administration(course, administration_id)
    done = correct_answers(
        request.user,
        admin,
        payload.answers,
        reason=payload.reason,
        completed_on=payload.completed_on,
    )
    return {
        "assessment": done.administration,
        "previous": done.amendment.previous,
        "alerts": done.alerts,
        "still_open": done.still_open,
    }


@router.get(
    "/courses/{course_id}/assessments",
    response=responses(list[AssessmentOut]),
    summary="List a course's questionnaires, item by item",
)
@paginate(LimitOffsetPagination)
def list_assessments(request: HttpRequest, course_id: int):
    course = get_course_for_user(request, course_id)
    query = (
        Administration.objects.filter(course=course)
        .prefetch_related("item_answers")
        .order_by("completed_at", "id")
    )
    return query


@router.get(
    "/courses/{course_id}/outcomes",
    response=responses(OutcomesOut),
    summary="Outcomes of a course: per questionnaire, and NHS Talking Therapies classes",
)
def course_outcomes(request: HttpRequest, course_id: int):
    course = get_course_for_user(request, course_id)
    measures = display.course_measures(course, charts=False)
    return {
        "course_id": course.pk,
        "instruments": {view.code: view.outcome for view in measures.instruments},
        "course": measures.course_classes,
        "not_on_track": bool(measures.reasons),
        "measure_due": measures.status.due,
        "missed_sessions": list(measures.status.missed),
        "missed_by_instrument": {code: list(s) for code, s in measures.status.missed_by},
    }


@router.get("/alerts", response=responses(list[AlertOut]), summary="List alerts you may see")
@paginate(LimitOffsetPagination)
def list_alerts(request: HttpRequest, filters: Query[AlertFilter]):
    if not policy.is_clinician(request.user):
        raise PermissionDenied("Alerts are for clinicians.")
    alerts = Alert.objects.visible_to(request.user).order_by("raised_at", "id")
    if filters.status != "all":
        alerts = alerts.filter(status=filters.status)
    return alerts


@router.post(
    "/alerts/{alert_id}/resolve",
    response=responses(AlertOut),
    summary="Resolve an alert with the action taken and a note",
)
def resolve_alert(request: HttpRequest, alert_id: int, payload: ResolveIn):
    alert = get_alert_for_user(request, alert_id, write=True)
    try:
        resolved = services.resolve_alert(request.user, alert, payload.action, payload.note)
    except services.AlreadyResolved as error:
        raise HttpError(409, error.messages[0]) from None
    return resolved


@router.get("/instruments", response=responses(list[InstrumentSummary]), summary="List instruments")
def list_instruments(request: HttpRequest):
    return [_instrument_summary(i) for i in all_instruments()]


@router.get("/instruments/{code}", response=responses(InstrumentOut), summary="Read an instrument")
def read_instrument(request: HttpRequest, code: str, version: str | None = None):
    try:
        instrument = get_instrument(code, version)
    except KeyError:
        raise Http404("No such instrument") from None
    return {
        **_instrument_summary(instrument),
        "stem": instrument.stem,
        "look_back_days": instrument.look_back_days,
        "licence": instrument.licence,
        "attribution": instrument.attribution,
        "items": [
            {
                "id": item.id,
                "text": item.text,
                "required": item.required,
                "scored": item.scored,
                "options": [{"value": o.value, "label": o.label} for o in item.options],
            }
            for item in instrument.items
        ],
    }


def _instrument_summary(instrument) -> dict[str, Any]:
    return {
        "code": instrument.code,
        "version": instrument.version,
        "name": instrument.name,
        "direction": instrument.direction,
        "total_min": instrument.total.min,
        "total_max": instrument.total.max,
    }


@router.get(
    "/courses/{course_id}/fhir",
    response=responses(dict[str, Any]),
    summary="Export a course's questionnaires as a FHIR R4B Bundle",
)
def course_fhir(request: HttpRequest, course_id: int):
    return course_bundle(get_course_for_user(request, course_id))
