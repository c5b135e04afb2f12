"""Corrections of session records: the record changes, and its previous version is kept.

A therapist who mistyped a date or a note corrects the session itself; the amendment keeps
who changed it, when, why, and what each changed field said before, and the session page
shows them. The attendance and the session's number are not amended here: they decide the
course's numbering and phases, so a wrongly recorded attendance is explained in a note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openipt.assessments.summary import refresh_course_summary
from openipt.core.errors import Problems
from openipt.courses.checks import (
    check_choice,
    check_not_before_start,
    check_past,
    check_writer,
    clean_text,
)
from openipt.courses.models import Session, SessionAmendment

AMENDABLE = ("date", "modality", "notes", "between_sessions_work", "mood_event_link")
LABELS = {
    "date": "Date",
    "modality": "How it was held",
    "notes": "Progress note",
    "between_sessions_work": "Work agreed between sessions",
    "mood_event_link": "Mood and events linked",
}
TEXTS = ("notes", "between_sessions_work", "mood_event_link")


@transaction.atomic
def amend_session(actor: Any, session: Session, *, reason: str, **changes: Any) -> SessionAmendment:
    """Change the session's fields and keep their previous values with the reason."""
    course = session.course
    check_writer(actor, course)
    unknown = set(changes) - set(AMENDABLE)
    if unknown:
        raise ValidationError(f"These cannot be amended: {', '.join(sorted(unknown))}.")
    locked = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    problems = Problems()
    cleaned: dict[str, Any] = {}
    with problems.check():
        reason = clean_text(reason, "reason", max_length=1000)
        if not reason:
            raise ValidationError({"reason": "Say why the record is changed."})
    for name, value in changes.items():
        with problems.check():
            cleaned[name] = _clean(locked, name, value)
    problems.raise_any()
    previous = {
        name: _plain(getattr(locked, name))
        for name, value in cleaned.items()
        if getattr(locked, name) != value
    }
    if not previous:
        raise ValidationError("Nothing was changed.", code="no_change")
    for name in previous:
        setattr(locked, name, cleaned[name])
    locked.save(update_fields=list(previous))
    amendment = SessionAmendment.objects.create(
        session=locked,
        changed_by=actor,
        changed_at=timezone.now(),
        reason=reason,
        previous=previous,
    )
    if "date" in previous:
        refresh_course_summary(locked.course, force=True)
    return amendment


def previous_rows(amendment: SessionAmendment) -> list[tuple[str, Any]]:
    """Return what each changed field said before the amendment, by its label."""
    return [(LABELS.get(name, name), value) for name, value in amendment.previous.items()]


def _clean(session: Session, name: str, value: Any) -> Any:
    if name in TEXTS:
        return clean_text(value, name)
    if name == "modality":
        return check_choice(value, Session.Modality, "modality", "Modality")
    return _check_date(session, value)


def _check_date(session: Session, value: Any) -> dt.date:
    """Keep the session in its place: after the one before it and before the one after."""
    if not isinstance(value, dt.date):
        raise ValidationError({"date": "Enter the date of the session."})
    check_past(value, "date", "The session date")
    check_not_before_start(session.course, value, "date", "The session date")
    others = Session.objects.filter(course_id=session.course_id).exclude(pk=session.pk)
    before = others.filter(date__lte=session.date, id__lt=session.pk).order_by("-date").first()
    after = others.filter(date__gte=session.date, id__gt=session.pk).order_by("date").first()
    if before and value < before.date:
        raise ValidationError({"date": "The date cannot be before the session recorded before it."})
    if after and value > after.date:
        raise ValidationError({"date": "The date cannot be after the session recorded after it."})
    return value


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
