"""Corrections of the record: the record changes, and its previous version is kept.

One rule for every correctable record (a session, a course's details, a psychotherapy note,
a questionnaire's answers): only its author may correct it, the reason is required, a
correction that changes nothing is refused, every problem is reported at once, and the
amendment keeps who changed it, when, why and what each changed field said before
(encrypted, as the record is). `amend` applies the rule to plain fields; a record whose
correction is more than its fields (a questionnaire is rescored) checks its reason with
`check_reason` and keeps its previous version with `keep`.

The attendance and the session's number are not amended here: they decide the course's
numbering and phases, so a wrongly recorded attendance is explained in a note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
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
from openipt.courses.models import Amendment, Session, SessionAmendment

REASON_MAX = 1000
EMPTY = ("", None)


@dataclass(frozen=True)
class Amendable:
    """What of one kind of record may be corrected, how each field is named and checked.

    `clean(record, field, value)` returns the value to store or raises ValidationError on
    the field. With `always=False` filling an empty field is not a correction: it needs no
    reason and keeps no amendment (a referrer added later loses nothing).
    """

    fields: tuple[str, ...]
    labels: Mapping[str, str]
    clean: Callable[[Any, str, Any], Any]
    always: bool = True


def check_reason(reason: object) -> str:
    """Return the reason for a correction, or refuse it on the field "reason"."""
    text = clean_text(reason, "reason", max_length=REASON_MAX)
    if not text:
        raise ValidationError({"reason": "Say why the record is changed."}, code="reason_required")
    return text


def keep(
    model: type[Amendment], actor: Any, reason: str, previous: dict[str, Any], **record: Any
) -> Amendment:
    """Store the previous values of a corrected record with who, when and why."""
    return model._default_manager.create(
        changed_by=actor,
        changed_at=timezone.now(),
        reason=reason,
        previous={name: plain(value) for name, value in previous.items()},
        **record,
    )


def amend(
    actor: Any,
    locked: models.Model,
    spec: Amendable,
    model: type[Amendment],
    *,
    reason: object,
    changes: Mapping[str, Any],
    link: str,
    extra: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[Amendment | None, dict[str, Any]]:
    """Correct the fields of a record (locked by the caller) and keep what they said before.

    `link` names the amendment's key to the record; `extra(cleaned)` runs the checks that
    look at several fields together. Return the amendment (None when only empty fields were
    filled and `spec.always` is False) and the changed fields' previous values.
    """
    unknown = set(changes) - set(spec.fields)
    if unknown:
        raise ValidationError(f"These cannot be amended: {', '.join(sorted(unknown))}.")
    problems = Problems()
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        with problems.check():
            cleaned[name] = spec.clean(locked, name, value)
    if extra is not None:  # with what could be cleaned, so every problem shows at once
        with problems.check():
            extra(cleaned)
    previous = {
        name: getattr(locked, name)
        for name, value in cleaned.items()
        if getattr(locked, name) != value
    }
    corrected = previous if spec.always else {k: v for k, v in previous.items() if v not in EMPTY}
    refused = [name for name in changes if name not in cleaned]
    text = ""
    if spec.always or corrected or reason or any(_recorded(locked, n) for n in refused):
        with problems.check():
            text = check_reason(reason)
    problems.raise_any()
    if not previous and spec.always:
        raise ValidationError("Nothing was changed.", code="no_change")
    for name in previous:
        setattr(locked, name, cleaned[name])
    if previous:
        locked.save(update_fields=list(previous))
    amendment = keep(model, actor, text, corrected, **{link: locked}) if corrected else None
    return amendment, previous


def _recorded(record: models.Model, name: str) -> bool:
    return getattr(record, name) not in EMPTY


def previous_rows(
    amendment: Amendment, labels: Mapping[str, str] | None = None
) -> list[tuple[str, Any]]:
    """Return what each changed field said before the amendment, by its label."""
    labels = LABELS if labels is None else labels
    return [(labels.get(name, name), value) for name, value in stored(amendment).items()]


def stored(amendment: Amendment) -> dict[str, Any]:
    """Return the previous values as a mapping; a value that is not one (a row written
    outside the services) is shown whole rather than failing the page."""
    previous = amendment.previous
    return dict(previous) if isinstance(previous, Mapping) else {"previous": previous}


def plain(value: Any) -> Any:
    """Return a value as JSON keeps it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, dt.date) else value


# Sessions

LABELS = {
    "date": "Date",
    "modality": "How it was held",
    "notes": "Progress note",
    "between_sessions_work": "Work agreed between sessions",
    "mood_event_link": "Mood and events linked",
}
AMENDABLE = ("date", "modality", "notes", "between_sessions_work", "mood_event_link")
TEXTS = ("notes", "between_sessions_work", "mood_event_link")


def _clean_session(session: Session, name: str, value: Any) -> Any:
    if name in TEXTS:
        return clean_text(value, name)
    if name == "modality":
        return check_choice(value, Session.Modality, "modality", "Modality")
    return _check_date(session, value)


SESSION = Amendable(AMENDABLE, LABELS, _clean_session)


@transaction.atomic
def amend_session(actor: Any, session: Session, *, reason: str, **changes: Any) -> SessionAmendment:
    """Change the session's fields and keep their previous values with the reason."""
    check_writer(actor, session.course)
    locked = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    amendment, previous = amend(
        actor, locked, SESSION, SessionAmendment, reason=reason, changes=changes, link="session"
    )
    if "date" in previous:
        refresh_course_summary(locked.course, force=True)
    assert isinstance(amendment, SessionAmendment)
    return amendment


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
