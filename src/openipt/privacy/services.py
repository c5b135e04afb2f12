"""Write psychotherapy notes, disclosures and consent records; pages, API and CLI share these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.clients.models import Client
from openipt.core.errors import Problems
from openipt.courses.amendments import Amendable, amend
from openipt.courses.checks import clean_text
from openipt.courses.models import Course, Session
from openipt.privacy.models import Consent, Disclosure, NoteAmendment, PsychotherapyNote

NOTE_MAX = 20000


def _check_holder(actor: Any, client: Client) -> None:
    policy.check_write_client(actor, client)


def _check_not_future(value: date | None, field: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: "This date cannot be in the future."})


def _check_disclosed_notes(actor: Any, client: Client, chosen: list[PsychotherapyNote]) -> None:
    if not chosen:
        raise ValidationError({"notes": "Choose at least one note to disclose."})
    if any(not policy.may_disclose(actor, n) or n.course.client_id != client.pk for n in chosen):
        raise ValidationError({"notes": "Only your own notes about this client can be disclosed."})


@transaction.atomic
def add_note(actor: Any, course: Course, text: str, session: Session | None = None) -> Any:
    """Write a private process note on a course; only its author will see it."""
    policy.check_write_course(
        actor, course, "Only the course's therapist can write psychotherapy notes."
    )
    if session is not None and session.course_id != course.pk:
        raise ValidationError({"session": "Choose a session of this course."})
    note = PsychotherapyNote(course=course, session=session, author=actor, text=text.strip())
    if not note.text:
        raise ValidationError({"text": "Write the note before saving it."})
    note.full_clean(exclude=["course", "session", "author"])
    note.save()
    return note


NOTE = Amendable(("text",), {"text": "Note"}, lambda note, name, value: _note_text(value))


def _note_text(value: object) -> str:
    text = clean_text(value, "text", max_length=NOTE_MAX)
    if not text:
        raise ValidationError({"text": "Write the note before saving it."})
    return text


@transaction.atomic
def amend_note(actor: Any, note: PsychotherapyNote, *, reason: str, text: str) -> NoteAmendment:
    """Correct a psychotherapy note by its author; the earlier text is kept, encrypted.

    A note already disclosed is not changed: the client authorised what it said then, so
    a correction is written as a new note.
    """
    if not policy.may_amend_note(actor, note):
        raise PermissionDenied("Only the note's author can correct it.")
    locked = PsychotherapyNote.objects.select_for_update().get(pk=note.pk)
    if locked.disclosures.exists():
        raise ValidationError(
            {
                "text": "This note was disclosed with the client's authorisation, so it stays "
                "as it was disclosed. Write a new note with the correction."
            },
            code="disclosed",
        )
    amendment, _ = amend(
        actor, locked, NOTE, NoteAmendment, reason=reason, changes={"text": text}, link="note"
    )
    assert isinstance(amendment, NoteAmendment)
    return amendment


@transaction.atomic
def record_disclosure(
    actor: Any,
    client: Client,
    *,
    notes: Iterable[PsychotherapyNote],
    recipient: str,
    purpose: str,
    authorised_by: str,
    authorised_on: date,
    recipient_user: Any = None,
) -> Disclosure:
    """Record the client's authorisation to disclose named notes to someone."""
    _check_holder(actor, client)
    chosen = list(notes)
    problems = Problems()
    with problems.check():
        _check_disclosed_notes(actor, client, chosen)
    if (
        recipient_user is not None
        and not Client.objects.visible_to(recipient_user).filter(pk=client.pk).exists()
    ):
        with problems.check():
            raise ValidationError(
                {"recipient_user": "This colleague has no access to the client's record."}
            )
    with problems.check():
        _check_not_future(authorised_on, "authorised_on")
    disclosure = Disclosure(
        client=client,
        recipient=recipient.strip(),
        recipient_user=recipient_user,
        purpose=purpose.strip(),
        authorised_by=authorised_by.strip(),
        authorised_on=authorised_on,
        recorded_by=actor,
    )
    with problems.check():
        disclosure.full_clean(exclude=["client", "recorded_by", "recipient_user"])
    problems.raise_any()
    disclosure.save()
    disclosure.notes.set(chosen)
    return disclosure


@transaction.atomic
def record_consent(
    actor: Any, client: Client, *, topic: str, given_on: date, note: str = ""
) -> Consent:
    """Record something the client agreed to, on the date they agreed."""
    _check_holder(actor, client)
    _check_not_future(given_on, "given_on")
    consent = Consent(
        client=client, topic=topic, given_on=given_on, note=note.strip(), recorded_by=actor
    )
    consent.full_clean(exclude=["client", "recorded_by"])
    consent.save()
    return consent


@transaction.atomic
def withdraw_consent(actor: Any, consent: Consent, withdrawn_on: date | None = None) -> Consent:
    """Mark a consent withdrawn; the row stays so the history of what was agreed is kept."""
    _check_holder(actor, consent.client)
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.withdrawn_on:
        raise ValidationError("This consent was withdrawn already.")
    when = withdrawn_on or timezone.localdate()
    _check_not_future(when, "withdrawn_on")
    if when < locked.given_on:
        raise ValidationError(
            {"withdrawn_on": "A consent cannot be withdrawn before it was given."}
        )
    locked.withdrawn_on = when
    locked.save(update_fields=["withdrawn_on"])
    return locked


def current_consents(client: Client) -> dict[str, Consent]:
    """Return the latest consent in force for each topic (withdrawn ones left out)."""
    current: dict[str, Consent] = {}
    for consent in client.consents.filter(withdrawn_on__isnull=True).order_by("given_on", "pk"):
        current[consent.topic] = consent
    return current
