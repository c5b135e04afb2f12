"""IPT groups: screening lists, groups, members, group sessions and attendance.

Each member is a client with a course in the group format (so alerts, PHQ-9 scoring and
outcomes reuse the course's machinery), linked to their group by a membership. The rules
(schedules, screening, composition) live in `openipt.protocol.groups`; who may see what in
`openipt.policy`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openipt import policy
from openipt.core.fields import EncryptedTextField
from openipt.core.validators import no_control_characters, single_line
from openipt.courses.models import ProblemArea

TEXT: dict[str, Any] = {"blank": True, "validators": [no_control_characters]}
LINE: dict[str, Any] = {"blank": True, "validators": [no_control_characters, single_line]}


class Sex(models.TextChoices):
    """Recorded because single-sex groups are a sourced composition rule [S313], [S302]."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Composition(models.TextChoices):
    SINGLE_SEX = "single_sex", _("Single-sex")
    MIXED = "mixed", _("Mixed")


class ScreeningQuerySet(models.QuerySet["ScreeningEntry"]):
    def visible_to(self, user) -> ScreeningQuerySet:
        return policy.visible_screenings(user, self)


class ScreeningEntry(models.Model):
    """One screening of one person from a community or clinic list for a programme."""

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible for a group")
        REPEAT = "repeat", _("Screen again")
        BELOW_THRESHOLD = "below_threshold", _("Below the threshold")
        INDIVIDUAL_CARE = "individual_care", _("Referred to individual care")

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screenings"
    )
    programme = models.CharField(max_length=32)
    site = models.CharField(max_length=200, **LINE)
    name = models.CharField(max_length=200, validators=[no_control_characters, single_line])
    sex = models.CharField(max_length=8, choices=Sex.choices)
    date_of_birth = models.DateField(null=True, blank=True)
    screened_on = models.DateField()
    round = models.PositiveSmallIntegerField(default=1, help_text=_("1st or 2nd screening."))
    answers = models.JSONField(default=dict, blank=True)
    phq9_total = models.PositiveSmallIntegerField()
    exclusions = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="screenings",
        help_text=_("The client record opened when the person was enrolled."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["-screened_on", "-id"]
        indexes = [
            # The screening list: a clinician's entries by programme, newest first.
            models.Index(fields=["clinician", "programme", "-screened_on"], name="screen_list_idx")
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk} ({self.get_outcome_display()})"


class GroupQuerySet(models.QuerySet["Group"]):
    def visible_to(self, user) -> GroupQuerySet:
        return policy.visible_groups(user, self)


class Group(models.Model):
    """A group of one programme, run by facilitators under a supervisor."""

    class Status(models.TextChoices):
        FORMING = "forming", _("Forming")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    programme = models.CharField(max_length=32)
    name = models.CharField(max_length=100, validators=[no_control_characters, single_line])
    site = models.CharField(max_length=200, **LINE)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clinical_groups",
        help_text=_("The therapist who holds the members' records and acts on their alerts."),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_groups"
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_groups", blank=True
    )
    composition = models.CharField(max_length=12, choices=Composition.choices)
    planned_size = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.FORMING)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["clinician", "status"], name="group_clinician_idx"),
            # The supervisor's view: their groups by status.
            models.Index(fields=["supervisor", "status"], name="group_supervisor_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])


class MembershipQuerySet(models.QuerySet["GroupMembership"]):
    def current(self) -> MembershipQuerySet:
        """Return the members who have not left (an erased client's row is hidden)."""
        return self.filter(left_on__isnull=True, client__erasure__isnull=True)

    def shown(self) -> MembershipQuerySet:
        """Return every membership whose client is not erased."""
        return self.filter(client__erasure__isnull=True)

    def visible_to(self, user) -> MembershipQuerySet:
        return policy.visible_members(user, self)


class GroupMembership(models.Model):
    """A member of a group: their client record and course, pre-group session and leaving."""

    class LeaveReason(models.TextChoices):
        INDIVIDUAL_CARE = "individual_care", _("Moved to individual care")
        MOVED_AWAY = "moved_away", _("Moved away")
        CHOSE_TO_LEAVE = "chose_to_leave", _("Chose to leave")
        LOST_TO_FOLLOW_UP = "lost_to_follow_up", _("Lost to follow-up")
        OTHER = "other", _("Other")

    class NextStep(models.TextChoices):
        STAY_IN_GROUP = "stay_in_group", _("Stays in the group, with support")
        INDIVIDUAL_CARE = "individual_care", _("Individual care")
        REFERRAL = "referral", _("Referral")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="group_memberships"
    )
    # A membership goes with its course (an erased client's purge deletes the course).
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="group_memberships"
    )
    screening = models.ForeignKey(
        ScreeningEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sex = models.CharField(max_length=8, choices=Sex.choices)
    problem_area = models.CharField(max_length=32, choices=ProblemArea.choices, blank=True)
    pre_group_on = models.DateField(null=True, blank=True)
    pre_group_tasks = models.JSONField(default=list, blank=True)
    onset_link = EncryptedTextField(**TEXT)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    leave_reason = models.CharField(max_length=20, choices=LeaveReason.choices, blank=True)
    next_step = models.CharField(max_length=16, choices=NextStep.choices, blank=True)
    next_step_note = EncryptedTextField(**TEXT)
    next_step_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "client"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"Member {self.pk} of group {self.group_id}"


class GroupSession(models.Model):
    """One meeting of a group, numbered 1..N, with its adherence checklist."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    held_on = models.DateField()
    phase = models.CharField(max_length=12)
    minutes = models.PositiveSmallIntegerField(validators=[MaxValueValidator(600)])
    notes = EncryptedTextField(**TEXT)
    tasks_done = models.JSONField(default=list, blank=True)
    checklist_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="group_session_unique"),
        ]
        # The weekly review queue: sessions not yet reviewed, oldest first.
        indexes = [models.Index(fields=["reviewed_at", "held_on"], name="group_review_idx")]

    def __str__(self) -> str:
        return f"Group session {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("groups:session", args=[self.pk])


class MemberAttendance(models.Model):
    """One member's row of a group session."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="rows")
    membership = models.ForeignKey(
        GroupMembership, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    check_in = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    homework_reviewed = models.BooleanField(default=False)
    homework = models.CharField(max_length=300, **LINE)
    administration = models.ForeignKey(
        "assessments.Administration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    flagged = models.BooleanField(default=False)

    class Meta:
        ordering = ["session", "membership"]
        constraints = [
            models.UniqueConstraint(fields=["session", "membership"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at group session {self.session_id}"


class ProgrammeCost(models.Model):
    """The cost inputs a service sets for a programme: a facilitator's hourly cost and
    other costs per group (venue, materials). No clinical data."""

    programme = models.CharField(max_length=32, unique=True)
    hourly_cost = models.DecimalField(max_digits=10, decimal_places=2)
    other_cost_per_group = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD", validators=[single_line])

    def __str__(self) -> str:
        return f"Costs of {self.programme}"
