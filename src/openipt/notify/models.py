"""Notifications (the outbox), the escalation state of alerts, and contact preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet["Notification"]):
    def in_app_for(self, user) -> NotificationQuerySet:
        return self.filter(user=user, channel=Notification.Channel.IN_APP)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at=None)


class Notification(models.Model):
    """One message to one person on one channel; the outbox the worker delivers from.

    `key` names the message (alert 12, level 1, the supervisor, by e-mail): creating it
    twice is refused, so a job run twice makes no second message, and a message is claimed
    before it is sent so that two workers never send it both. Texts hold no clinical detail.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")
        IN_APP = "in_app", _("In OpenIPT")

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert")
        ESCALATION = "escalation", _("Escalated alert")
        REMINDER = "reminder", _("Reminder")
        DIGEST = "digest", _("Weekly digest")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(max_length=254, blank=True, help_text=_("E-mail or phone."))
    alert = models.ForeignKey(
        "assessments.Alert",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The delivery sweep: messages waiting or stuck, by when they are due.
            models.Index(fields=["status", "next_attempt_at"], name="notify_due_idx"),
            # The badge and the list: a person's in-app notifications, unread first.
            models.Index(fields=["user", "channel", "read_at"], name="notify_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel} ({self.status})"


class AlertWatch(models.Model):
    """Where an alert's escalation stands: who was told, and when to tell the next person.

    Level 0: the course's therapist; 1: their supervisor; 2: the service's duty contact.
    Acknowledging or resolving the alert ends the escalation.
    """

    alert = models.OneToOneField(
        "assessments.Alert", on_delete=models.CASCADE, related_name="watch"
    )
    level = models.PositiveSmallIntegerField(default=0)
    next_level = models.PositiveSmallIntegerField(default=1)
    next_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            # The escalation sweep: alerts whose next step is due.
            models.Index(fields=["next_at"], name="notify_watch_next_idx"),
        ]

    def __str__(self) -> str:
        return f"alert {self.alert_id} at level {self.level}"


class AlertEvent(models.Model):
    """One line of an alert's record: notified, escalated, acknowledged, stopped."""

    class Kind(models.TextChoices):
        NOTIFIED = "notified", _("Notified")
        ESCALATED = "escalated", _("Escalated")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        STOPPED = "stopped", _("Escalation stopped")

    alert = models.ForeignKey("assessments.Alert", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class StaffPreference(models.Model):
    """How a staff member wants to hear from OpenIPT. Alerts always reach the app."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    email_alerts = models.BooleanField(_("e-mail me about risk alerts"), default=True)
    email_out_of_hours = models.BooleanField(
        _("e-mail me out of working hours too"),
        default=True,
        help_text=_("Off: out-of-hours e-mails wait until working hours; escalation goes on."),
    )
    weekly_digest = models.BooleanField(_("send me the weekly digest"), default=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class ClientContact(models.Model):
    """Whether and how a client agreed to be reminded (questionnaires, tasks)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="reminder_contact"
    )
    reminders_agreed = models.BooleanField(_("agreed to reminders"), default=False)
    channel = models.CharField(
        _("preferred contact"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    mobile = models.CharField(_("mobile number"), max_length=32, blank=True)

    def __str__(self) -> str:
        return f"reminder contact of {self.client_id}"
