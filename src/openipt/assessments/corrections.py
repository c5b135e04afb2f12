"""Correct a questionnaire's answers (or the day it was completed) and rescore it.

The clinician who typed a questionnaire in corrects a mistyped answer here; the same
scoring, risk rules and summary as a new questionnaire apply (`services`), and the previous
answers, total and band are kept as an amendment (`openipt.courses.amendments`). Alerts
follow the rule of a new submission: a corrected answer that newly hits a risk item raises
an alert, committed first so that it survives a refused correction; an alert already
raised is never cleared by a correction (the clinician resolves it with a note).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.assessments import conf, services
from openipt.assessments.models import Administration, AdministrationAmendment, Alert
from openipt.assessments.summary import refresh_course_summary
from openipt.core.errors import Problems
from openipt.courses.amendments import check_reason, keep, stored
from openipt.measures import Instrument, get_instrument

LABELS = {"answers": "Answers", "total": "Total", "band": "Band", "completed_at": "Completed"}


@dataclass
class Corrected:
    """The corrected administration, its amendment, the alerts the correction raised and
    the alerts raised before that are still open."""

    administration: Administration
    amendment: AdministrationAmendment
    alerts: list[Alert] = field(default_factory=list)
    still_open: list[Alert] = field(default_factory=list)


def check_can_correct(actor: Any, admin: Administration) -> None:
    """Allow the clinician who entered the questionnaire, while they run its course."""
    if not policy.may_amend_administration(actor, admin):
        raise PermissionDenied(
            "Only the clinician who entered this questionnaire can correct it; a client's own "
            "answers are not corrected by staff."
        )


def correct_answers(
    actor: Any,
    admin: Administration,
    answers: Mapping[str, object],
    *,
    reason: object,
    completed_on: datetime.date | None = None,
) -> Corrected:
    """Replace the answers, rescore, and keep the previous answers and score.

    Must not run inside the caller's transaction (a new risk answer's alert is committed
    on its own first, as for `services.submit_assessment`).
    """
    if services._inside_callers_transaction():
        raise RuntimeError(
            "correct_answers commits risk alerts on their own: call it outside atomic."
        )
    check_can_correct(actor, admin)
    course = admin.course
    instrument = get_instrument(admin.instrument, admin.version)
    alerts: list[Alert] = []
    new_hits = _uncovered(admin, conf.triggered_risks(instrument, answers))
    if new_hits:
        with transaction.atomic():
            alerts = services._raise_alerts(actor, course, instrument, new_hits)
    problems = Problems()
    with problems.check():
        text = check_reason(reason)
    with problems.check():
        when = _completed_at(admin, completed_on)
    try:
        result = services._scored(instrument, answers, alerts)
    except services.AnswersRefused as refused:
        try:
            problems.raise_any()
        except ValidationError as others:  # every problem at once
            raise ValidationError({**others.error_dict, **refused.error_dict}) from None
        raise  # alone, each refused answer keeps its item
    problems.raise_any()
    with transaction.atomic():
        locked = Administration.objects.select_for_update().get(pk=admin.pk)
        previous = _previous(locked)
        if previous["answers"] == result.answers and locked.completed_at == when:
            raise ValidationError("Nothing was changed.", code="no_change")
        changed = {k: v for k, v in previous.items() if k != "completed_at"}
        if locked.completed_at != when:
            changed["completed_at"] = locked.completed_at
        _rescore(locked, instrument, result, when)
        amendment = keep(AdministrationAmendment, actor, text, changed, administration=locked)
        if alerts:
            Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(administration=locked)
            for alert in alerts:
                alert.administration = locked
        refresh_course_summary(course, force=True)
    assert isinstance(amendment, AdministrationAmendment)
    still_open = list(locked.alerts.open().exclude(pk__in=[a.pk for a in alerts]))
    return Corrected(locked, amendment, alerts, still_open)


def _uncovered(admin: Administration, hits: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Return the risk answers no alert of this questionnaire was raised for already."""
    raised = set(admin.alerts.values_list("item", "value"))
    return [(item, value) for item, value in hits if (item, value) not in raised]


def _completed_at(admin: Administration, day: datetime.date | None) -> datetime.datetime:
    """Keep the day unless a new one is given (never in the future)."""
    if day is None or day == timezone.localtime(admin.completed_at).date():
        return admin.completed_at
    if not isinstance(day, datetime.date):
        raise ValidationError({"completed_on": "Enter the day it was completed."})
    try:
        return services.completion_time(None, day)
    except ValidationError:
        raise ValidationError(
            {"completed_on": "A questionnaire cannot be completed in the future."}
        ) from None


def _previous(admin: Administration) -> dict[str, Any]:
    return {
        "answers": {a.item: a.value for a in admin.item_answers.all()},
        "total": admin.total,
        "band": admin.band,
        "completed_at": admin.completed_at,
    }


def _rescore(
    admin: Administration, instrument: Instrument, result: Any, when: datetime.datetime
) -> None:
    """Store the new answers, total, band, risk items and flags."""
    admin.item_answers.all().delete()
    services.store_answers(admin, instrument, result)
    admin.total = result.total
    admin.band = result.band or ""
    admin.flags = list(result.flags)
    admin.risk_items = [item for item, _ in conf.triggered_risks(instrument, result.answers)]
    admin.completed_at = when
    admin.save(update_fields=["total", "band", "flags", "risk_items", "completed_at"])


def previous_rows(amendment: AdministrationAmendment) -> list[tuple[str, Any]]:
    """Return the previous answers, total, band and date, by their labels."""
    admin = amendment.administration
    bands = {b.code: b.label for b in get_instrument(admin.instrument, admin.version).bands}
    rows = []
    for name, value in stored(amendment).items():
        if name == "band":
            value = bands.get(value, value)
        if name == "answers" and isinstance(value, dict):
            value = ", ".join(f"{item}: {answer}" for item, answer in value.items())
        elif name == "completed_at" and isinstance(value, str):
            value = value[:10]
        rows.append((LABELS.get(name, name), value))
    return rows
