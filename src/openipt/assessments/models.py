"""Questionnaires given in a course: each administration, its answers item by item, and alerts.

Scoring rules live in `openipt.measures`; these rows keep what was answered, with the
instrument version, the total and the band computed when it was collected.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openipt import policy
from openipt.core.fields import EncryptedTextField
from openipt.core.validators import no_control_characters
from openipt.courses.models import Amendment


class Administration(models.Model):
    """One completed questionnaire: instrument version, total and band at collection time."""

    class CompletedBy(models.TextChoices):
        CLINICIAN = "clinician", _("Entered by the clinician")
        CLIENT = "client", _("Completed by the client")

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="administrations"
    )
    session = models.ForeignKey(
        "courses.Session",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="administrations",
    )
    instrument = models.CharField(max_length=32)
    version = models.CharField(max_length=16)
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=32, blank=True)
    completed_by = models.CharField(max_length=12, choices=CompletedBy.choices)
    completed_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    risk_items = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "completed_at", "id"]
        constraints = [
            # One score per instrument per session keeps the series and the schedule honest.
            models.UniqueConstraint(
                fields=["session", "instrument"], name="administration_once_per_session"
            )
        ]
        indexes = [
            # A course's series for one instrument, in time order (charts, outcomes, summary).
            models.Index(
                fields=["course", "instrument", "completed_at"], name="administration_series_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} ({self.completed_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:administration", args=[self.course_id, self.pk])


class ItemAnswer(models.Model):
    """The answer to one item, as the option's value."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="item_answers"
    )
    item = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField()
    value = models.SmallIntegerField()
    scored = models.BooleanField(default=True)

    class Meta:
        ordering = ["administration", "position"]
        constraints = [
            models.UniqueConstraint(fields=["administration", "item"], name="item_answer_once")
        ]

    def __str__(self) -> str:
        return f"Item {self.item}: {self.value}"


class AdministrationAmendment(Amendment):
    """A correction of a questionnaire's answers (or its date) by the clinician who entered
    it: the previous answers, total and band are kept, so the score history shows both."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="amendments"
    )

    class Meta:
        ordering = ["administration", "changed_at", "id"]

    def __str__(self) -> str:
        return (
            f"Amendment of questionnaire #{self.administration_id} "
            f"at {self.changed_at:%Y-%m-%d %H:%M}"
        )


class AlertQuerySet(models.QuerySet["Alert"]):
    def open(self) -> AlertQuerySet:
        return self.filter(status=Alert.Status.OPEN)

    def visible_to(self, user) -> AlertQuerySet:
        """Return the alerts of the courses this clinician may see (openipt.policy)."""
        return policy.visible_alerts(user, self)


class Alert(models.Model):
    """A risk answer that a clinician must act on; resolving it records the action taken."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class Action(models.TextChoices):
        RISK_ASSESSED = "risk_assessed", _("Risk assessed")
        SAFETY_PLAN = "safety_plan", _("Safety plan made or reviewed")
        CONTACT_MADE = "contact_made", _("Contact made")
        ESCALATED = "escalated", _("Escalated")

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="alerts")
    administration = models.ForeignKey(
        Administration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        help_text=_("Empty when the rest of the questionnaire was refused."),
    )
    instrument = models.CharField(max_length=32)
    version = models.CharField(max_length=16)
    item = models.CharField(max_length=32)
    value = models.SmallIntegerField(help_text=_("The answer that raised the alert."))
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    action = models.CharField(max_length=16, choices=Action.choices, blank=True)
    note = EncryptedTextField(blank=True, validators=[no_control_characters])
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [
            # The alert list: open alerts, oldest first, across a caseload.
            models.Index(fields=["status", "raised_at"], name="alert_status_raised_idx"),
            # The course page and the open_alerts summary column: a course's alerts by status.
            models.Index(fields=["course", "status"], name="alert_course_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} item {self.item} = {self.value} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:resolve_alert", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
