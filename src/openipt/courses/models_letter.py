"""The end-of-treatment letter as the therapist edits it, and each letter as it was sent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openipt.core.fields import EncryptedTextField
from openipt.core.validators import no_control_characters

TEXT: dict[str, Any] = {"blank": True, "validators": [no_control_characters]}

# The parts of the letter a therapist chooses from, in the letter's order. The closeness
# circles name the people in the client's life, so they are left out unless chosen.
SECTIONS = {
    "treatment": _("Treatment: format, dates, sessions and focus"),
    "goals": _("Goals and how far they were met"),
    "measures": _("Questionnaire scores and change"),
    "risk": _("Risk: alerts, the action taken and the safety plan"),
    "medication": _("Medication evaluation"),
    "relapse_plan": _("Relapse-prevention plan"),
    "next_step": _("Next step"),
    "relationships": _("Closeness circles and the formulation (names the people)"),
}
DEFAULT_SECTIONS = [name for name in SECTIONS if name != "relationships"]


class LetterDraft(models.Model):
    """The letter being written: free paragraphs and the sections it includes."""

    course = models.OneToOneField(
        "courses.Course", on_delete=models.CASCADE, related_name="letter_draft"
    )
    recipient = models.CharField(_("to"), max_length=200, **TEXT)
    opening = EncryptedTextField(_("opening paragraph"), **TEXT)
    closing = EncryptedTextField(_("closing paragraph"), **TEXT)
    sections = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return f"Letter draft of course {self.course_id}"


class SentLetter(models.Model):
    """A letter as it was sent: its PDF is kept, encrypted, and never changed."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="sent_letters"
    )
    recipient = models.CharField(max_length=200, **TEXT)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    pdf = EncryptedTextField()  # base64 of the PDF bytes
    pages = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["course", "-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Letter of course {self.course_id} sent {self.sent_at:%Y-%m-%d}"
