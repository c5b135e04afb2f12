"""Writing the end-of-treatment letter: the draft the therapist edits, and sending it.

A sent letter is frozen: its PDF is kept (encrypted) exactly as it went out, and later changes
to the course or the draft never alter it. Third parties are not named unless the therapist
includes the closeness circles, which show the people in the client's life.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openipt.courses.checks import check_writer, clean_text
from openipt.courses.models import Course
from openipt.courses.models_letter import DEFAULT_SECTIONS, SECTIONS, LetterDraft, SentLetter


def draft_of(course: Course) -> LetterDraft:
    """Return the course's draft, or a new one (unsaved) with the default sections."""
    found = LetterDraft.objects.filter(course=course).first()
    if found is not None:
        return found
    return LetterDraft(course=course, recipient=course.referrer, sections=list(DEFAULT_SECTIONS))


@transaction.atomic
def save_draft(
    actor: Any,
    course: Course,
    *,
    recipient: str = "",
    opening: str = "",
    closing: str = "",
    sections: Sequence[str] = (),
) -> LetterDraft:
    """Save what the letter says besides the record: its paragraphs and its sections."""
    check_writer(actor, course)
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ValidationError({"sections": f"Unknown sections: {', '.join(unknown)}."})
    draft = draft_of(course)
    draft.recipient = clean_text(recipient, "recipient", max_length=200)
    draft.opening = clean_text(opening, "opening", max_length=4000)
    draft.closing = clean_text(closing, "closing", max_length=4000)
    draft.sections = [name for name in SECTIONS if name in sections]
    draft.updated_by = actor
    draft.save()
    return draft


@transaction.atomic
def send_letter(actor: Any, course: Course) -> SentLetter:
    """Freeze the letter as it reads now: its tagged PDF is kept unchanged from here on."""
    from openipt.courses.letter import render_letter_pdf

    check_writer(actor, course)
    draft = draft_of(course)
    pdf, pages = render_letter_pdf(course, draft=draft)
    return SentLetter.objects.create(
        course=course,
        recipient=draft.recipient,
        sent_at=timezone.now(),
        sent_by=actor,
        pdf=base64.b64encode(pdf).decode("ascii"),
        pages=pages,
    )


def sent_pdf(letter: SentLetter) -> bytes:
    """Return the PDF exactly as it was sent."""
    return base64.b64decode(letter.pdf)
