"""The client answers questionnaires one question at a time; the assessments app scores them.

Each answer is saved at once in a `PortalDraft`, so leaving and coming back resumes where
the client stopped. A risk answer (PHQ-9 item 9 above 0, or one the service added) raises
the therapist's alert through the assessments service the moment it is saved, so leaving
half-way cannot lose it; finishing attaches those alerts to the scored questionnaire.
Scoring, validity and the risk rules all live in `openipt.measures` and the assessments app.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt import policy
from openipt.assessments import conf as assessments_conf
from openipt.assessments.models import Alert
from openipt.assessments.services import (
    AnswersRefused,
    Submitted,
    measure_status,
    record_administration,
    submit_assessment,
)
from openipt.courses.models import Course
from openipt.measures import AnswerError, Instrument, get_instrument, score
from openipt.measures.schema import Item
from openipt.portal.models import PortalDraft


@dataclass(frozen=True)
class DueQuestionnaire:
    """A questionnaire the client can fill in now, and how far they got."""

    instrument: Instrument
    draft: PortalDraft | None

    @property
    def code(self) -> str:
        return self.instrument.code

    @property
    def name(self) -> str:
        return self.instrument.name.split(" (")[0]

    @property
    def answered(self) -> int:
        return len(self.draft.answers) if self.draft else 0

    @property
    def total(self) -> int:
        return len(self.instrument.items)


def short_name(instrument: Instrument) -> str:
    """Return "PHQ-9" from "PHQ-9 (Patient Health Questionnaire-9)"."""
    return instrument.name.split(" (")[0]


def _check_client(actor, course: Course) -> None:
    if not policy.may_answer_for_self(actor, course):
        raise PermissionDenied(_("Only the client can answer their own questionnaires."))


def due_questionnaires(course: Course | None) -> list[DueQuestionnaire]:
    """Return the questionnaires due before the next session, and any left half-done."""
    if course is None or course.status != Course.Status.ACTIVE:
        return []
    drafts = {d.instrument: d for d in course.portal_drafts.all() if not is_stale(d, course)}
    codes = list(measure_status(course).instruments_due)
    codes += [code for code in drafts if code not in codes]
    result = []
    for code in codes:
        draft = drafts.get(code)
        try:
            instrument = get_instrument(code, draft.version if draft else None)
        except KeyError:
            continue
        result.append(DueQuestionnaire(instrument, draft))
    return result


def is_stale(draft: PortalDraft, course: Course) -> bool:
    """Return True for a draft begun before the latest session: its answers are out of date."""
    last = course.last_session_on
    return last is not None and timezone.localdate(draft.started_at) < last


def start(actor, course: Course, code: str) -> PortalDraft:
    """Return the client's draft of this questionnaire, starting one if it is due."""
    _check_client(actor, course)
    existing = PortalDraft.objects.filter(course=course, instrument=code).first()
    if existing is not None and not is_stale(existing, course):
        return existing
    if course.status != Course.Status.ACTIVE:
        raise ValidationError(_("Your course has ended, so no questionnaires are due."))
    if code not in measure_status(course).instruments_due:
        raise ValidationError(_("This questionnaire is not due now."))
    instrument = get_instrument(code)
    try:
        with transaction.atomic():
            if existing is not None:  # stale: its risk alerts stay raised, its answers go
                existing.delete()
            return PortalDraft.objects.create(
                course=course, instrument=instrument.code, version=instrument.version
            )
    except IntegrityError:  # started a moment ago in another tab
        return PortalDraft.objects.get(course=course, instrument=code)


def instrument_of(draft: PortalDraft) -> Instrument:
    return get_instrument(draft.instrument, draft.version)


def first_unanswered(draft: PortalDraft) -> int | None:
    """Return the position (1-based) of the first required item not answered yet."""
    for position, item in enumerate(instrument_of(draft).items, start=1):
        if item.required and item.id not in draft.answers:
            return position
    return None


def save_answer(actor, draft: PortalDraft, item: Item, value: object) -> list[Alert]:
    """Store one answer; if it is a risk answer, raise the alert now and return it."""
    _check_client(actor, draft.course)
    if isinstance(value, bool) or not isinstance(value, int) or value not in item.values():
        raise ValidationError({"answer": _("Choose one of the answers.")})
    with transaction.atomic():
        locked = PortalDraft.objects.select_for_update().get(pk=draft.pk)
        locked.answers = {**locked.answers, item.id: value}
        locked.save(update_fields=["answers", "updated_at"])
    draft.answers = locked.answers
    return raise_risk_alerts(actor, draft)


def skip_answer(actor, draft: PortalDraft, item: Item) -> None:
    """Leave an optional question unanswered (clearing an earlier answer)."""
    _check_client(actor, draft.course)
    if item.required:
        raise ValidationError({"answer": _("This question needs an answer.")})
    with transaction.atomic():
        locked = PortalDraft.objects.select_for_update().get(pk=draft.pk)
        locked.answers = {k: v for k, v in locked.answers.items() if k != item.id}
        locked.save(update_fields=["answers", "updated_at"])
    draft.answers = locked.answers


def raise_risk_alerts(actor, draft: PortalDraft) -> list[Alert]:
    """Raise, through the assessments service, an alert for each risk answer not yet alerted.

    The service offers no separate risk call, so the risk answers alone are submitted: the
    service commits their alerts first and then refuses the incomplete questionnaire.
    """
    instrument = instrument_of(draft)
    alerted = {(a["item"], a["value"]) for a in draft.alerts}
    hits = [hit for hit in assessments_conf.triggered_risks(instrument, draft.answers)
            if hit not in alerted]  # fmt: skip
    if not hits:
        return []
    partial = dict(hits)
    if _complete(instrument, partial):
        return []  # a one-question instrument: finishing raises the alert
    try:
        submit_assessment(actor, draft.course, instrument, partial, completed_by="client")
    except AnswersRefused as refused:
        alerts = list(refused.alerts)
    else:  # pragma: no cover - excluded by _complete above
        alerts = []
    with transaction.atomic():
        locked = PortalDraft.objects.select_for_update().get(pk=draft.pk)
        known = {a["id"] for a in locked.alerts}
        new = [{"id": a.pk, "item": a.item, "value": a.value} for a in alerts if a.pk not in known]
        locked.alerts = [*locked.alerts, *new]
        locked.save(update_fields=["alerts", "updated_at"])
    draft.alerts = locked.alerts
    return alerts


def _complete(instrument: Instrument, answers: dict[str, int]) -> bool:
    try:
        score(instrument, answers)
    except AnswerError:
        return False
    return True


def has_risk(draft: PortalDraft) -> bool:
    """Return True once any answer in the draft was a risk answer."""
    if draft.alerts:
        return True
    return bool(assessments_conf.triggered_risks(instrument_of(draft), draft.answers))


class AlreadySent(ValidationError):
    """The questionnaire was sent a moment ago (a second click, another tab)."""


def finish(actor, draft: PortalDraft) -> Submitted:
    """Send the answers to be scored, attach the alerts already raised, and drop the draft."""
    _check_client(actor, draft.course)
    fresh = PortalDraft.objects.filter(pk=draft.pk).first()
    if fresh is None:
        raise AlreadySent(_("These answers were already sent."), code="already_sent")
    draft.answers, draft.alerts = fresh.answers, fresh.alerts
    instrument = instrument_of(draft)
    missing = first_unanswered(draft)
    if missing is not None:
        raise ValidationError(
            _("Question %(n)s has no answer yet.") % {"n": missing}, code="unanswered"
        )
    raise_risk_alerts(actor, draft)
    hits = set(assessments_conf.triggered_risks(instrument, draft.answers))
    alerted = {(a["item"], a["value"]) for a in draft.alerts}
    if hits - alerted:  # only when the answers could not be alerted on their own
        result = submit_assessment(
            actor, draft.course, instrument, dict(draft.answers), completed_by="client"
        )
        PortalDraft.objects.filter(pk=draft.pk).delete()
        return result
    with transaction.atomic():
        locked = PortalDraft.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None:
            raise AlreadySent(_("These answers were already sent."), code="already_sent")
        alerts = list(
            Alert.objects.filter(
                pk__in=[a["id"] for a in locked.alerts], course=draft.course, administration=None
            )
        )
        result = record_administration(
            actor, draft.course, instrument, dict(locked.answers),
            completed_by="client", alerts=alerts,
        )  # fmt: skip
        locked.delete()
    return result
