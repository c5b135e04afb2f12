"""The interpersonal inventory, its snapshots, the life-event timeline and the formulation.

The inventory fields follow the prompt sheet adapted from Dietz, Weinberg & Mufson [S53];
the ring places a person on the closeness circle [S54]; expectations and conflict are what a
role dispute turns on [S44]. The rules that read these rows live in openipt.protocol.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openipt.core.fields import EncryptedJSONField, EncryptedTextField
from openipt.core.validators import no_control_characters, single_line
from openipt.courses.models import ProblemArea

TEXT: dict[str, Any] = {"blank": True, "validators": [no_control_characters]}
LINE: dict[str, Any] = {"blank": True, "validators": [no_control_characters, single_line]}
RING_MESSAGE = _("Choose a ring from 1 (closest) to 4 (furthest).")


class Person(models.Model):
    """One important person in the client's life, as the inventory records them."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        DECEASED = "deceased", _("Deceased")
        ESTRANGED = "estranged", _("Estranged")
        ENDED = "ended", _("Relationship ended")

    class Match(models.TextChoices):
        YES = "yes", _("Yes, they match")
        NO = "no", _("No, they do not match")
        UNCLEAR = "unclear", _("Not clear yet")

    class Conflict(models.TextChoices):
        NONE = "none", _("None")
        COVERT = "covert", _("Covert")
        OVERT = "overt", _("Overt")

    class Support(models.TextChoices):
        CONFIDING = "confiding", _("Confiding")
        PRACTICAL = "practical", _("Practical")
        NONE = "none", _("None")

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="people")
    label = models.CharField(
        _("name or role"),
        max_length=80,
        validators=[no_control_characters, single_line],
        help_text=_('A first name, a role ("my manager") or a pseudonym.'),
    )
    ring = models.PositiveSmallIntegerField(
        _("closeness ring"),
        validators=[
            MinValueValidator(1, message=RING_MESSAGE),
            MaxValueValidator(4, message=RING_MESSAGE),
        ],
        help_text=_("1 is closest to the client, 4 is furthest."),
    )
    relationship = models.CharField(_("relationship"), max_length=80, **LINE)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PRESENT
    )
    description = EncryptedTextField(_("what this person is like"), **TEXT)
    contact_frequency = models.CharField(_("time spent together"), max_length=120, **LINE)
    shared_activities = EncryptedTextField(_("things done together"), **TEXT)
    satisfying = EncryptedTextField(_("what is satisfying"), **TEXT)
    unsatisfying = EncryptedTextField(_("what is not satisfying"), **TEXT)
    feelings = EncryptedTextField(_("feelings when together"), **TEXT)
    expectations_self = EncryptedTextField(_("what the client expects of them"), **TEXT)
    expectations_other = EncryptedTextField(_("what they expect of the client"), **TEXT)
    expectations_match = models.CharField(
        _("do the expectations match?"),
        max_length=8,
        choices=Match.choices,
        default=Match.UNCLEAR,
    )
    can_talk_about = EncryptedTextField(_("can talk about"), **TEXT)
    cannot_talk_about = EncryptedTextField(_("cannot talk about"), **TEXT)
    conflict = models.CharField(
        _("conflict"), max_length=8, choices=Conflict.choices, default=Conflict.NONE
    )
    knows_about_depression = models.BooleanField(
        _("knows about the depression"), null=True, blank=True
    )
    support = models.CharField(
        _("support given"), max_length=10, choices=Support.choices, blank=True
    )
    changes_wished = EncryptedTextField(_("changes wished"), **TEXT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "ring", "label", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ring__gte=1, ring__lte=4), name="person_ring_1_to_4"
            )
        ]
        indexes = [
            # The inventory list and the circle read one course's people ring by ring.
            models.Index(fields=["course", "ring", "label"], name="person_course_ring_idx"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("interpersonal:person_edit", args=[self.course_id, self.pk])

    @property
    def lost(self) -> bool:
        """Return whether the circle draws this person as lost (died or ended) [S54]."""
        return self.status in (self.Status.DECEASED, self.Status.ENDED)

    @property
    def notes(self) -> list[tuple[str, str]]:
        """Return the filled-in free-text answers as (question, answer) pairs."""
        pairs = []
        for name in NOTE_FIELDS:
            value = getattr(self, name)
            if value:
                field = self._meta.get_field(name)
                pairs.append((str(getattr(field, "verbose_name", name)), value))
        return pairs


NOTE_FIELDS = (
    "contact_frequency",
    "shared_activities",
    "description",
    "satisfying",
    "unsatisfying",
    "feelings",
    "expectations_self",
    "expectations_other",
    "can_talk_about",
    "cannot_talk_about",
    "changes_wished",
)


class InventorySnapshot(models.Model):
    """The inventory as it stood at intake or at termination, kept apart from later edits."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Intake")
        TERMINATION = "termination", _("Termination")

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="inventory_snapshots"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    people = EncryptedJSONField(default=list)

    class Meta:
        ordering = ["course", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["course", "kind"], name="snapshot_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} inventory of course {self.course_id}"


class LifeEvent(models.Model):
    """A dated life event on the course's timeline, optionally linked to a person."""

    class Kind(models.TextChoices):
        DEATH = "death", _("Death")
        CONFLICT = "conflict", _("Conflict")
        SEPARATION = "separation", _("Separation")
        MOVE = "move", _("Move")
        JOB_CHANGE = "job_change", _("Job change")
        BIRTH = "birth", _("Birth")
        ILLNESS = "illness", _("Illness")
        LOSS_OF_CONTACT = "loss_of_contact", _("Loss of contact")
        OTHER = "other", _("Other")

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="life_events"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of event"), max_length=16, choices=Kind.choices)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="life_events",
        verbose_name=_("person involved"),
    )
    description = EncryptedTextField(_("what happened"), max_length=300, **LINE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "date", "id"]
        indexes = [
            # The timeline reads one course's events in date order.
            models.Index(fields=["course", "date"], name="lifeevent_course_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date.isoformat()}"

    @property
    def label(self) -> str:
        """Return the short label drawn on the timeline."""
        text = self.description or self.get_kind_display()
        person = self.person if self.person_id else None
        if person is not None and person.label.casefold() not in text.casefold():
            text += f" ({person.label})"
        return text


class Formulation(models.Model):
    """The interpersonal formulation as edited by the therapist and shared with the client."""

    course = models.OneToOneField(
        "courses.Course", on_delete=models.CASCADE, related_name="formulation"
    )
    text = EncryptedTextField(_("formulation"), **TEXT)
    area = models.CharField(
        _("problem area"), max_length=32, choices=ProblemArea.choices, blank=True
    )
    shared_on = models.DateField(_("shared with the client on"), null=True, blank=True)
    client_response = EncryptedTextField(_("the client's response"), **TEXT)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    def __str__(self) -> str:
        return f"Formulation of course {self.course_id}"
