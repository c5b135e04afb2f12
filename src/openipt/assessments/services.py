"""Record questionnaires and act on risk alerts; the pages, the API and the portal call these.

Services take plain values (never a request), check who may act, and write in one
transaction that also refreshes the course's summary columns. A risk answer is the exception
that proves the rule: its alert is committed first, on its own, so that it survives even when
the rest of the questionnaire is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from openipt import policy
from openipt.assessments import conf, summary
from openipt.assessments.models import Administration, Alert, ItemAnswer
from openipt.assessments.summary import (
    MeasureStatus,
    measure_status,
    refresh_course_summary,
    statuses_for,
)
from openipt.courses.changes import course_changed
from openipt.courses.models import Course, Session
from openipt.measures import AnswerError, Instrument, Score, get_instrument, score
from openipt.notify.escalation import alert_raised

__all__ = [
    "AnswersRefused",
    "MeasureStatus",
    "measure_status",
    "raise_risk_alerts",
    "record_administration",
    "refresh_course_summary",
    "resolve_alert",
    "statuses_for",
    "submit_assessment",
]

NOTE_MAX = 5000
ORPHAN_WINDOW = datetime.timedelta(hours=1)  # a corrected resubmission reuses its alert


class AlreadyResolved(ValidationError):
    """The alert was resolved before (by someone else, or in another tab)."""


class AnswersRefused(ValidationError):
    """The answers cannot be scored; `problems` holds (item id, message) for each item."""

    def __init__(self, problems: list[tuple[str, str]], alerts: list[Alert]) -> None:
        self.problems = problems
        self.alerts = alerts
        messages = [message for _, message in problems]
        if alerts:
            items = ", ".join(f"item {a.item}" for a in alerts)
            messages.append(
                f"The risk answer ({items}) was still recorded and an alert raised for the "
                "clinician."
            )
        super().__init__({"answers": messages})


@dataclass
class Submitted:
    """What a submission produced: the administration and the alerts its answers raised."""

    administration: Administration
    alerts: list[Alert] = field(default_factory=list)


def resolve_instrument(code: object, version: object = None) -> Instrument:
    """Return the instrument with this code (latest version by default) or refuse clearly."""
    if not isinstance(code, str) or (version is not None and not isinstance(version, str)):
        raise ValidationError({"instrument": "Give the instrument as a code such as 'phq9'."})
    try:
        return get_instrument(code, version)
    except KeyError:
        known = ", ".join(sorted({i.code for i in _all()}))
        raise ValidationError(
            {"instrument": f"Unknown instrument {code!r}. Known instruments: {known}."}
        ) from None


def _all() -> list[Instrument]:
    from openipt.measures import all_instruments

    return all_instruments()


def check_can_submit(actor, course: Course, completed_by: str) -> None:
    """Allow the course's therapist, its client answering for themselves, or a facilitator
    of the client's group (openipt.policy)."""
    if completed_by not in Administration.CompletedBy.values:
        raise ValidationError({"completed_by": "Say who completed it: clinician or client."})
    if policy.may_write_course(actor, course):
        return
    if policy.may_record_group_score(actor, course) and completed_by == "clinician":
        return  # a facilitator giving the PHQ-9 at a scheduled group session
    if policy.may_answer_for_self(actor, course) and completed_by == "client":
        return
    raise PermissionDenied("Only the course's therapist or its client can record a score.")


def submit_assessment(
    actor,
    course: Course,
    instrument: Instrument | str,
    answers: Mapping[str, object],
    session: Session | None = None,
    completed_by: str = "clinician",
    completed_on: datetime.date | None = None,
) -> Submitted:
    """Score and store a completed questionnaire; raise an alert for every risk answer.

    It is dated the day it was completed: `completed_on`, else the linked session's day,
    else today (`completion_time`); typing it in later does not change that day.

    Any risk answer is committed as an alert first, in its own transaction, before the rest
    is validated; then the administration, its item answers and the course summary are
    written in one transaction, or nothing is. Must not run inside the caller's transaction,
    or a rollback there would take the alert with it.
    """
    if _inside_callers_transaction():
        raise RuntimeError(
            "submit_assessment commits risk alerts on their own: call it outside "
            "transaction.atomic (use record_administration inside one)."
        )
    check_can_submit(actor, course, completed_by)
    inst = instrument if isinstance(instrument, Instrument) else resolve_instrument(instrument)
    alerts: list[Alert] = []
    hits = conf.triggered_risks(inst, answers)
    if hits:
        with transaction.atomic():
            alerts = _raise_alerts(actor, course, inst, hits)
    result = _scored(inst, answers, alerts)
    _check_session(course, inst, session)
    when = completion_time(session, completed_on)
    # Outermost (checked above), so this is the write's own transaction and a savepoint
    # would only be made inside a test's; every refusal was raised before it.
    with transaction.atomic(savepoint=False):
        admin = _write(actor, course, inst, result, session, completed_by, when, alerts)
    return _submitted(admin, alerts)


def raise_risk_alerts(
    actor,
    course: Course,
    instrument: Instrument | str,
    answers: Mapping[str, object],
    completed_by: str = "client",
) -> list[Alert]:
    """Commit an alert for each risk answer now, before the rest of the form is answered.

    For one-question-per-page forms (the portal): the alert reaches the clinician the moment
    the answer is saved. A later submission by the same person reuses these alerts.
    """
    if _inside_callers_transaction():
        raise RuntimeError("raise_risk_alerts commits alerts on their own: call it outside atomic.")
    check_can_submit(actor, course, completed_by)
    inst = instrument if isinstance(instrument, Instrument) else resolve_instrument(instrument)
    hits = conf.triggered_risks(inst, answers)
    if not hits:
        return []
    with transaction.atomic():
        return _raise_alerts(actor, course, inst, hits)


def _inside_callers_transaction() -> bool:
    """Return True inside an atomic block opened by application code (not by a test case)."""
    blocks = getattr(connection, "atomic_blocks", [])
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def record_administration(
    actor,
    course: Course,
    instrument: Instrument,
    answers: Mapping[str, object],
    *,
    session: Session | None = None,
    completed_by: str = "clinician",
    completed_at: datetime.datetime | None = None,
    alerts: list[Alert] | None = None,
) -> Submitted:
    """Validate, store and summarise one administration inside the caller's transaction.

    Raises alerts itself when `alerts` is None (demo data, imports); `submit_assessment`
    raises them beforehand so they outlive a refusal.
    """
    check_can_submit(actor, course, completed_by)
    if alerts is None:
        alerts = _raise_alerts(actor, course, instrument, conf.triggered_risks(instrument, answers))
    result = _scored(instrument, answers, alerts)
    _check_session(course, instrument, session)
    admin = _write(actor, course, instrument, result, session, completed_by, completed_at, alerts)
    return _submitted(admin, alerts)


def completion_time(
    session: Session | None, completed_on: datetime.date | None
) -> datetime.datetime:
    """Return when a questionnaire was completed: on `completed_on`, else on the linked
    session's day, else now. A past day is stored at noon, local time (its hour is not
    known, and noon keeps it on that day in any time zone near the service's); a future
    day is refused."""
    today = timezone.localdate()
    day = completed_on or (session.date if session is not None else None)
    if day is None or day == today:
        return timezone.now()
    if day > today:
        where = "completed_on" if completed_on else "session"
        raise ValidationError({where: "A questionnaire cannot be completed in the future."})
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _scored(instrument: Instrument, answers: Mapping[str, object], alerts: list[Alert]) -> Score:
    """Score the answers, or refuse them item by item (the alerts were raised already)."""
    if not isinstance(answers, Mapping):
        raise AnswersRefused([("answers", "Give the answers as item id: answer value.")], alerts)
    try:
        return score(instrument, answers)
    except AnswerError as error:
        raise AnswersRefused([(p.item_id, p.message) for p in error.problems], alerts) from None


def _submitted(admin: Administration | None, alerts: list[Alert]) -> Submitted:
    if admin is None:  # the same session was scored a moment ago, by another request
        raise ValidationError({"session": "This session already has this score."})
    return Submitted(admin, alerts)


def _write(
    actor,
    course: Course,
    instrument: Instrument,
    result: Score,
    session: Session | None,
    completed_by: str,
    completed_at: datetime.datetime | None,
    alerts: list[Alert],
) -> Administration | None:
    """Store the administration and update the summary from it; None if the session was
    scored meanwhile. The course row is locked and read with the summary's facts first."""
    when = completed_at or timezone.now()
    row = summary.lock(course, day=timezone.localdate(when))
    try:
        with transaction.atomic() if session is not None else nullcontext():
            admin = _store(actor, course, instrument, result, session, completed_by, when)
    except IntegrityError:  # only the one-score-per-session constraint can refuse it
        return None
    if alerts:
        Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(administration=admin)
        for alert in alerts:
            alert.administration = admin
    summary.score_added(row, admin, course)
    return admin


def _store(
    actor,
    course: Course,
    instrument: Instrument,
    result: Score,
    session: Session | None,
    completed_by: str,
    completed_at: datetime.datetime,
) -> Administration:
    """Write the administration and its answers item by item."""
    admin = Administration.objects.create(
        course=course,
        session=session,
        instrument=instrument.code,
        version=instrument.version,
        total=result.total,
        band=result.band or "",
        completed_by=completed_by,
        completed_at=completed_at,
        entered_by=actor,
        risk_items=[item_id for item_id, _ in conf.triggered_risks(instrument, result.answers)],
        flags=list(result.flags),
    )
    store_answers(admin, instrument, result)
    return admin


def store_answers(admin: Administration, instrument: Instrument, result: Score) -> None:
    """Write the answers of an administration item by item."""
    ItemAnswer.objects.bulk_create(
        ItemAnswer(
            administration=admin,
            item=item.id,
            position=index,
            value=result.answers[item.id],
            scored=item.scored,
        )
        for index, item in enumerate(instrument.items, start=1)
        if item.id in result.answers
    )


def _check_session(course: Course, instrument: Instrument, session: Session | None) -> None:
    if session is None:
        return
    if session.course_id != course.pk or session.attendance != Session.Attendance.ATTENDED:
        raise ValidationError({"session": "Choose an attended session of this course."})
    if Administration.objects.filter(session=session, instrument=instrument.code).exists():
        raise ValidationError(
            {"session": f"A {instrument.name} is already recorded for session {session.number}."}
        )


def _raise_alerts(
    actor, course: Course, instrument: Instrument, hits: list[tuple[str, int]]
) -> list[Alert]:
    """Create (or reuse, for a corrected resubmission) one open alert per risk answer."""
    now = timezone.now()
    alerts = []
    for item_id, value in hits:
        orphan = (
            Alert.objects.filter(
                course=course,
                administration=None,
                status=Alert.Status.OPEN,
                instrument=instrument.code,
                item=item_id,
                value=value,
                raised_by=actor,
                raised_at__gte=now - ORPHAN_WINDOW,
            )
            .order_by("-raised_at")
            .first()
        )
        if orphan is None:
            orphan = Alert.objects.create(
                course=course,
                instrument=instrument.code,
                version=instrument.version,
                item=item_id,
                value=value,
                raised_at=now,
                raised_by=actor,
            )
            alert_raised(orphan)  # the therapist's notification, in the alert's transaction
        alerts.append(orphan)
    if alerts:
        client_alerts_changed(course)
    return alerts


def client_alerts_changed(course: Course) -> None:
    """Recompute the alert count of every course of the course's client: an open alert
    belongs to the client, so their other courses (an ended acute course, the maintenance
    course after it) show it too."""
    for other in Course.objects.filter(client_id=course.client_id).order_by("pk"):
        if other.pk == course.pk:
            refresh_course_summary(course, force=True)  # its own alert's write bumps its views
        elif refresh_course_summary(other, force=True):
            course_changed(other.pk, other.therapist_id)  # a summary UPDATE sends no signal


def resolve_alert(actor, alert: Alert, action: str, note: str) -> Alert:
    """Close an alert with the clinical action taken and a note; both are required."""
    policy.check_act_on_alert(actor, alert)
    errors: dict[str, Any] = {}
    if action not in Alert.Action.values:
        choices = "; ".join(str(label) for label in Alert.Action.labels)
        errors["action"] = f"Choose the action you took: {choices}."
    note = note.strip() if isinstance(note, str) else ""
    if not note:
        errors["note"] = "Write a note of what you did and found."
    elif len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != Alert.Status.OPEN:
            raise AlreadyResolved("This alert is already resolved.", code="resolved")
        locked.action, locked.note = action, note
        locked.status, locked.resolved_by, locked.resolved_at = "resolved", actor, timezone.now()
        locked.full_clean()
        locked.save()
        client_alerts_changed(alert.course)
    return locked
