"""What the client portal stores: access links, questionnaire drafts, tasks and a mood diary.

Scores, alerts, goals and the relapse plan belong to their own apps; the portal only keeps
what exists because the client uses it: the links that let them in, the answers given so far
to an unfinished questionnaire, the work agreed between sessions, and their daily log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openipt.core.fields import EncryptedTextField
from openipt.core.validators import no_control_characters

MOOD_MAX = 10
CONTACTS_MAX = 100
NOTE_MAX = 500


class PortalLinkQuerySet(models.QuerySet["PortalLink"]):
    def pending(self) -> PortalLinkQuerySet:
        """Return links not used, not withdrawn and not expired."""
        return self.filter(used_at=None, revoked_at=None, expires_at__gt=timezone.now())


class PortalLink(models.Model):
    """A one-time invitation or sign-in link; only its SHA-256 digest is kept."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        SIGN_IN = "sign_in", _("Sign-in link")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="portal_links"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.EmailField(blank=True)

    objects = PortalLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The client page shows the pending invitation; a new one withdraws the old.
            models.Index(fields=["client", "kind", "used_at"], name="portal_link_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for client {self.client_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PortalDraft(models.Model):
    """The answers given so far to a questionnaire the client has not finished."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="portal_drafts"
    )
    instrument = models.CharField(max_length=32)
    version = models.CharField(max_length=16)
    answers = models.JSONField(default=dict, blank=True)
    alerts = models.JSONField(
        default=list, blank=True, help_text=_("Alerts already raised by this draft's answers.")
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Leaving and coming back resumes the one draft instead of starting another.
            models.UniqueConstraint(fields=["course", "instrument"], name="portal_draft_once")
        ]

    def __str__(self) -> str:
        return f"Draft {self.instrument} of course {self.course_id}"


class ClientTask(models.Model):
    """One piece of work agreed in a session, which the client can tick off."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="client_tasks"
    )
    session = models.ForeignKey(
        "courses.Session", on_delete=models.CASCADE, related_name="client_tasks"
    )
    # A copy of a line of Session.between_sessions_work, so encrypted as that field is.
    text = EncryptedTextField(validators=[no_control_characters])
    position = models.PositiveSmallIntegerField(default=1)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-session_id", "position", "id"]
        indexes = [
            # The plan page lists a course's tasks, newest session first.
            models.Index(fields=["course", "session", "position"], name="client_task_course_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class MoodEntry(models.Model):
    """One day of the client's log: mood from 0 to 10 and social contacts or activities."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="mood_entries"
    )
    date = models.DateField(_("date"))
    mood = models.PositiveSmallIntegerField(
        _("mood"), validators=[MinValueValidator(0), MaxValueValidator(MOOD_MAX)]
    )
    contacts = models.PositiveSmallIntegerField(
        _("contacts and activities"),
        validators=[MinValueValidator(0), MaxValueValidator(CONTACTS_MAX)],
    )
    note = EncryptedTextField(
        _("note"), max_length=NOTE_MAX, blank=True, validators=[no_control_characters]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "date"]
        constraints = [
            # One entry a day; the client edits today's entry rather than adding another.
            models.UniqueConstraint(fields=["course", "date"], name="mood_once_per_day"),
            models.CheckConstraint(condition=models.Q(mood__lte=MOOD_MAX), name="mood_at_most_ten"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: mood {self.mood}, {self.contacts} contacts"
