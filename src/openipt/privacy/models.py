"""Psychotherapy notes, their disclosures, consent records and erasures.

Psychotherapy notes are the therapist's private process notes: kept apart from the progress
record (sessions, scores), seen only by their author, and left out of letters, exports and
the portal unless the client authorised a disclosure that is recorded here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openipt import policy
from openipt.core.fields import EncryptedTextField
from openipt.core.validators import no_control_characters, single_line
from openipt.courses.models import Amendment

LINE = [no_control_characters, single_line]


class NoteQuerySet(models.QuerySet["PsychotherapyNote"]):
    def visible_to(self, user) -> NoteQuerySet:
        """Return the notes this user wrote or was shown by a disclosure (openipt.policy)."""
        return policy.visible_notes(user, self)


class PsychotherapyNote(models.Model):
    """A private process note; its text is encrypted at rest."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="psychotherapy_notes"
    )
    session = models.ForeignKey(
        "courses.Session",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="psychotherapy_notes",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"), validators=[no_control_characters])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The notes page lists one author's notes on one course, newest first.
            models.Index(
                fields=["course", "author", "created_at"], name="psynote_course_author_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Psychotherapy note {self.pk} on course {self.course_id}"


class NoteAmendment(Amendment):
    """A correction of a psychotherapy note by its author; the earlier text stays encrypted."""

    note = models.ForeignKey(PsychotherapyNote, on_delete=models.CASCADE, related_name="amendments")

    class Meta:
        ordering = ["note", "changed_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of note #{self.note_id} at {self.changed_at:%Y-%m-%d %H:%M}"


class Disclosure(models.Model):
    """The client's authorisation to share named psychotherapy notes, and with whom."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="disclosures"
    )
    notes = models.ManyToManyField(PsychotherapyNote, related_name="disclosures")
    recipient = models.CharField(_("disclosed to"), max_length=200, validators=LINE)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("colleague who may read the notes here"),
    )
    purpose = EncryptedTextField(_("purpose"), validators=[no_control_characters])
    authorised_by = models.CharField(_("authorised by"), max_length=200, validators=LINE)
    authorised_on = models.DateField(_("date of the authorisation"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "-authorised_on", "-id"]

    def __str__(self) -> str:
        return f"Disclosure to {self.recipient} on {self.authorised_on}"


class Consent(models.Model):
    """One thing the client agreed to, on a date; withdrawing keeps the row and its date."""

    class Topic(models.TextChoices):
        TREATMENT = "treatment", _("Treatment")
        DATA_PROCESSING = "data_processing", _("Processing of their data")
        SHARING_GP = "sharing_gp", _("Sharing with their GP or referrer")
        RESEARCH_CONTACT = "research_contact", _("Being contacted about research")
        PORTAL_USE = "portal_use", _("Using the client portal")

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="consents")
    topic = models.CharField(_("what was agreed"), max_length=20, choices=Topic.choices)
    given_on = models.DateField(_("date agreed"))
    withdrawn_on = models.DateField(_("date withdrawn"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True, validators=[no_control_characters])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "-given_on", "-id"]
        indexes = [
            # "Has this client consented to X now?" reads one client's rows for one topic.
            models.Index(fields=["client", "topic", "given_on"], name="consent_client_topic_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.status})"

    @property
    def status(self) -> str:
        return "withdrawn" if self.withdrawn_on else "given"


class ErasureQuerySet(models.QuerySet["Erasure"]):
    def pending(self) -> ErasureQuerySet:
        return self.filter(purged_at__isnull=True, client__isnull=False)


class Erasure(models.Model):
    """A client's record erased (hidden now, purged after the retention period).

    The row outlives the client: after the purge only the pseudonym and the dates remain.
    """

    client = models.OneToOneField(
        "clients.Client",
        null=True,
        on_delete=models.SET_NULL,
        related_name="erasure",
    )
    pseudonym = models.CharField(max_length=40, unique=True)
    erased_at = models.DateTimeField()
    reason = EncryptedTextField(_("reason"), blank=True, validators=[no_control_characters])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    portal_was_active = models.BooleanField(default=False)
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = ErasureQuerySet.as_manager()

    class Meta:
        ordering = ["-erased_at", "-id"]
        indexes = [
            # `openipt purge` looks for erasures older than the retention period.
            models.Index(fields=["purged_at", "erased_at"], name="erasure_due_idx"),
        ]

    def __str__(self) -> str:
        return f"Erasure of {self.pseudonym}"
