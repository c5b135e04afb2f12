"""An IPT course and what happens in it: contract, sessions, focus, goals, ending.

The rules live in `openipt.protocol`; these models store what was decided and done.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openipt import policy
from openipt.core.fields import EncryptedJSONField, EncryptedTextField
from openipt.core.validators import no_control_characters

TEXT: dict[str, Any] = {"blank": True, "validators": [no_control_characters]}


class Format(models.TextChoices):
    STANDARD = "standard", _("Standard IPT")
    BRIEF = "brief", _("Brief IPT (IPT-B)")
    IPC = "ipc", _("Interpersonal counselling (IPC)")
    ADOLESCENT = "adolescent", _("IPT for adolescents (IPT-A)")
    MAINTENANCE = "maintenance", _("Maintenance IPT (IPT-M)")
    GROUP_WHO = "group_who", _("Group IPT (WHO)")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Fortnightly")
    MONTHLY = "monthly", _("Monthly")


class Phase(models.TextChoices):
    INITIAL = "initial", _("Initial")
    MIDDLE = "middle", _("Middle")
    TERMINATION = "termination", _("Termination")
    MAINTENANCE = "maintenance", _("Maintenance")


class ProblemArea(models.TextChoices):
    GRIEF = "grief", _("Grief")
    ROLE_DISPUTE = "role_dispute", _("Role dispute")
    ROLE_TRANSITION = "role_transition", _("Role transition")
    INTERPERSONAL_DEFICITS = "interpersonal_deficits", _("Interpersonal deficits")


class DisputeStage(models.TextChoices):
    RENEGOTIATION = "renegotiation", _("Renegotiation")
    IMPASSE = "impasse", _("Impasse")
    DISSOLUTION = "dissolution", _("Dissolution")


class CourseQuerySet(models.QuerySet["Course"]):
    def active(self) -> CourseQuerySet:
        return self.filter(status=Course.Status.ACTIVE)

    def for_therapist(self, user) -> CourseQuerySet:
        return self.filter(therapist=user)

    def visible_to(self, user) -> CourseQuerySet:
        """Return the courses this user has a need to see (openipt.policy)."""
        return policy.visible_courses(user, self)


class Course(models.Model):
    """One time-limited course of IPT for one client, with its summary columns."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        DISCONTINUED = "discontinued", _("Discontinued")  # the client dropped out
        # Closed because it should never have been opened: left out of every outcome.
        OPENED_IN_ERROR = "error", _("Opened in error")

    class EndDecision(models.TextChoices):
        MAINTENANCE_CONTRACT = "maintenance_contract", _("Maintenance contract")
        CONTINUATION_CONTRACT = "continuation_contract", _("Continuation contract")
        OTHER_TREATMENT = "other_treatment", _("Other treatment")
        REFERRAL = "referral", _("Referral")
        DISCHARGE_WITH_RELAPSE_PLAN = (
            "discharge_with_relapse_plan",
            _("Discharge with a relapse-prevention plan"),
        )

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="courses")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses"
    )
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
        help_text=_("The acute course that a maintenance or continuation course follows."),
    )
    format = models.CharField(max_length=16, choices=Format.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    planned_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, blank=True)
    contract_agreed_on = models.DateField(null=True, blank=True)
    maintenance_months = models.PositiveSmallIntegerField(null=True, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_decision = models.CharField(max_length=32, choices=EndDecision.choices, blank=True)
    end_decision_detail = EncryptedTextField(**TEXT)
    symptom_onset = models.DateField(null=True, blank=True)
    intake_flags = models.JSONField(default=list, blank=True)
    referrer = models.CharField(max_length=200, **TEXT)

    # Summary columns, kept in the same transaction as the rows they summarise, so that
    # caseloads and service dashboards are indexed aggregates rather than scans.
    sessions_attended = models.PositiveSmallIntegerField(default=0)
    last_session_on = models.DateField(null=True, blank=True)
    phq9_first = models.PositiveSmallIntegerField(null=True, blank=True)
    phq9_last = models.PositiveSmallIntegerField(null=True, blank=True)
    gad7_first = models.PositiveSmallIntegerField(null=True, blank=True)
    gad7_last = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_score_at = models.DateTimeField(null=True, blank=True)
    # Open alerts of the course's client, on any of their courses: alerts belong to the client.
    open_alerts = models.PositiveSmallIntegerField(default=0)
    measure_due = models.BooleanField(default=False)
    # The last held session was due a rating and none was taken: give it next time.
    measure_missed = models.BooleanField(default=False)
    not_on_track = models.BooleanField(default=False)
    caseness = models.BooleanField(null=True, blank=True)
    finished = models.BooleanField(default=False)
    recovered = models.BooleanField(null=True, blank=True)
    reliably_improved = models.BooleanField(null=True, blank=True)
    reliably_deteriorated = models.BooleanField(null=True, blank=True)
    reliably_recovered = models.BooleanField(null=True, blank=True)
    responded = models.BooleanField(null=True, blank=True)
    remitted = models.BooleanField(null=True, blank=True)
    primary_area = models.CharField(max_length=32, choices=ProblemArea.choices, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            # The caseload: a therapist's active courses.
            models.Index(fields=["therapist", "status", "started_on"], name="course_caseload_idx"),
            # Service outcomes over ended courses: every column the report groups or counts
            # by, so a million endings are read from the index alone (insights.outcomes).
            models.Index(
                fields=[
                    "status",
                    "ended_on",
                    "therapist",
                    "format",
                    "primary_area",
                    "finished",
                    "caseness",
                    "recovered",
                    "reliably_improved",
                    "reliably_recovered",
                    "reliably_deteriorated",
                    "responded",
                    "remitted",
                ],
                name="course_outcome_cover_idx",
            ),
            # Service outcomes: courses started in a period, by month, therapist, format, area.
            models.Index(
                fields=["started_on", "therapist", "format", "primary_area"],
                name="course_started_idx",
            ),
            models.Index(fields=["format", "status"], name="course_format_idx"),
            models.Index(fields=["primary_area", "status"], name="course_area_idx"),
            # Supervisor views: open alerts and courses not on track.
            models.Index(fields=["therapist", "open_alerts"], name="course_alerts_idx"),
            models.Index(fields=["therapist", "not_on_track"], name="course_offtrack_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} for {self.client.name}"

    def get_absolute_url(self) -> str:
        return reverse("courses:detail", args=[self.pk])

    @property
    def sessions_remaining(self) -> int | None:
        if self.planned_sessions is None:
            return None
        return max(self.planned_sessions - self.sessions_attended, 0)


class Contract(models.Model):
    """An agreed number and frequency of sessions; a later row is a renegotiation."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="contracts")
    planned_sessions = models.PositiveSmallIntegerField()
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    agreed_on = models.DateField()
    is_renegotiation = models.BooleanField(default=False)
    reason = EncryptedTextField(**TEXT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.planned_sessions} {self.frequency} sessions"


class Session(models.Model):
    """One appointment; attended sessions are numbered 1..N in the order they happen."""

    class Attendance(models.TextChoices):
        ATTENDED = "attended", _("Attended")
        CANCELLED = "cancelled", _("Cancelled")
        DID_NOT_ATTEND = "did_not_attend", _("Did not attend")

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video")
        TELEPHONE = "telephone", _("Telephone")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(
        help_text=_("The treatment session this was (or would have been, if missed).")
    )
    date = models.DateField()
    attendance = models.CharField(max_length=16, choices=Attendance.choices)
    modality = models.CharField(max_length=12, choices=Modality.choices, default="in_person")
    phase = models.CharField(max_length=12, choices=Phase.choices)
    is_engagement = models.BooleanField(default=False)
    techniques = models.JSONField(default=list, blank=True)
    strategies = models.JSONField(default=list, blank=True)
    mood_event_link = EncryptedTextField(**TEXT)
    between_sessions_work = EncryptedTextField(**TEXT)
    notes = EncryptedTextField(**TEXT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"],
                condition=models.Q(attendance="attended"),
                name="session_attended_number_unique",
            )
        ]
        indexes = [models.Index(fields=["course", "date"], name="session_course_date_idx")]

    def __str__(self) -> str:
        return f"Session {self.number} ({self.get_attendance_display()})"


class Focus(models.Model):
    """A chosen problem area; replaced foci keep their row with `replaced_at` set."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="foci")
    area = models.CharField(max_length=32, choices=ProblemArea.choices)
    dispute_stage = models.CharField(max_length=16, choices=DisputeStage.choices, blank=True)
    reason = EncryptedTextField(**TEXT)
    deficits_confirmed = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=1)
    chosen_on = models.DateField()
    replaced_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        ordering = ["course", "replaced_at", "position", "id"]
        indexes = [models.Index(fields=["course", "replaced_at"], name="focus_current_idx")]

    def __str__(self) -> str:
        return self.get_area_display()


class Goal(models.Model):
    """A goal in the client's own words, with how far it was met."""

    class Status(models.TextChoices):
        OPEN = "open", _("Working on it")
        PARTLY_MET = "partly_met", _("Partly met")
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")
        DROPPED = "dropped", _("Dropped")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="goals")
    text = EncryptedTextField(max_length=500, validators=[no_control_characters])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    position = models.PositiveSmallIntegerField(default=1)
    after_treatment = models.BooleanField(
        default=False, help_text=_("A goal to keep working on after the course ends.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "after_treatment", "position", "id"]

    def __str__(self) -> str:
        return self.text


class TaskCompletion(models.Model):
    """A protocol phase task (by its id in openipt.protocol) marked done."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="task_completions")
    task_id = models.CharField(max_length=64)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL)
    note = EncryptedTextField(**TEXT)
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "task_id"], name="task_once_per_course")
        ]

    def __str__(self) -> str:
        return self.task_id


class SickRole(models.Model):
    """The diagnosis named to the client and the sick role (limited in IPT-A) given."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="sick_role")
    diagnosis_system = models.CharField(max_length=16, blank=True)
    diagnosis_code = models.CharField(max_length=16, **TEXT)
    diagnosis_label = models.CharField(max_length=200, **TEXT)
    limited = models.BooleanField(default=False)
    explained_on = models.DateField()
    note = EncryptedTextField(**TEXT)

    def __str__(self) -> str:
        return self.diagnosis_label or self.diagnosis_code


class MedicationEvaluation(models.Model):
    """The initial-phase medication evaluation: severity, history, response, preference."""

    class Decision(models.TextChoices):
        NOT_INDICATED = "not_indicated", _("Not indicated now")
        CONTINUE = "continue", _("Continue current medication")
        REFER = "refer", _("Refer for medication assessment")
        CLIENT_DECLINED = "client_declined", _("Client prefers not to")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="medication_evals")
    evaluated_on = models.DateField()
    severity = EncryptedTextField(**TEXT)
    past_history = EncryptedTextField(**TEXT)
    prior_response = EncryptedTextField(**TEXT)
    preference = EncryptedTextField(**TEXT)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    note = EncryptedTextField(**TEXT)

    class Meta:
        ordering = ["course", "evaluated_on", "id"]

    def __str__(self) -> str:
        return self.get_decision_display()


class TerminationReview(models.Model):
    """The review at the end of the acute phase and the decision about what follows."""

    class Response(models.TextChoices):
        RESPONDER = "responder", _("Responded")
        PARTIAL = "partial", _("Partly responded")
        NON_RESPONDER = "non_responder", _("Did not respond")

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="termination")
    ending_raised_on = models.DateField(null=True, blank=True)
    why_better = EncryptedTextField(**TEXT)
    achieved = EncryptedTextField(**TEXT)
    not_achieved = EncryptedTextField(**TEXT)
    feelings_about_ending = EncryptedTextField(**TEXT)
    anticipated_problems = EncryptedTextField(**TEXT)
    response = models.CharField(max_length=16, choices=Response.choices, blank=True)
    maintenance_discussed = models.BooleanField(default=False)
    reviewed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return f"Termination review of {self.course_id}"


class RelapsePlan(models.Model):
    """The client's relapse-prevention plan; stays in the portal after the course."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="relapse_plan")
    warning_signs = EncryptedTextField(**TEXT)
    what_helps = EncryptedTextField(**TEXT)
    people_to_tell = EncryptedTextField(**TEXT)
    whom_to_contact = EncryptedTextField(**TEXT)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Relapse plan of {self.course_id}"


class Amendment(models.Model):
    """A correction of a record: who changed it, when and why, with the previous values
    kept (encrypted, as the record's own text is) so the record shows what it said before.

    Each corrected kind of record has its own table with a key to the record (sessions,
    course details, psychotherapy notes, questionnaires); `openipt.courses.amendments`
    writes them all.
    """

    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    changed_at = models.DateTimeField()
    reason = EncryptedTextField(_("reason for the change"), validators=[no_control_characters])
    previous = EncryptedJSONField(_("previous values"))

    class Meta:
        abstract = True


class SessionAmendment(Amendment):
    """A correction of a session record."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="amendments")

    class Meta:
        ordering = ["session", "changed_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of session #{self.session_id} at {self.changed_at:%Y-%m-%d %H:%M}"


class CourseAmendment(Amendment):
    """A correction of a course's details (start date, format, referrer, onset)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="amendments")

    class Meta:
        ordering = ["course", "changed_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of course #{self.course_id} at {self.changed_at:%Y-%m-%d %H:%M}"


class ClinicalHistory(models.Model):
    """The history the initial phase takes: psychiatric [S2], [S134] and interpersonal."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="history")
    psychiatric_history = EncryptedTextField(
        _("psychiatric history"),
        help_text=_(
            "Earlier episodes and their treatment, any history of mania, substance use, "
            "physical illness and medication."
        ),
        **TEXT,
    )
    interpersonal_history = EncryptedTextField(
        _("interpersonal history"),
        help_text=_(
            "The important relationships over the years and the interpersonal events near "
            "each episode (the inventory and the timeline hold today's detail)."
        ),
        **TEXT,
    )
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return f"History of course {self.course_id}"


from openipt.courses.models_letter import LetterDraft, SentLetter  # noqa: E402, F401
