"""The client record: who the client is and which therapist holds their care."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openipt import policy
from openipt.core.fields import EncryptedTextField
from openipt.core.validators import no_control_characters, single_line


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user, *, include_erased: bool = False) -> ClientQuerySet:
        """Return the clients this user has a need to see (openipt.policy).

        An erased client (awaiting purge) is hidden from everyone but the privacy pages,
        which ask for it with `include_erased` to show the erasure and to restore it.
        """
        return policy.visible_clients(user, self, include_erased=include_erased)

    def editable_by(self, user) -> ClientQuerySet:
        """Return the clients this user may change: those in their own caseload."""
        return policy.editable_clients(user, self)

    def search(self, text: str) -> ClientQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(models.Q(name__icontains=text) | models.Q(record_number__iexact=text))


def new_record_number() -> str:
    return "OI-" + secrets.token_hex(4).upper()


class Client(models.Model):
    """A person receiving IPT; belongs to one primary therapist."""

    name = models.CharField(
        _("name"), max_length=200, validators=[no_control_characters, single_line]
    )
    record_number = models.CharField(
        _("record number"),
        max_length=40,
        unique=True,
        blank=True,
        validators=[no_control_characters, single_line],
        help_text=_("The service's own record number. Left blank, one is made for you."),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    primary_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clients",
        limit_choices_to={"role": "therapist"},
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client_record",
        help_text=_("The client's own portal account, once invited."),
    )
    show_progress_to_client = models.BooleanField(_("show progress in the portal"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The caseload and client list: a therapist's clients by name.
            models.Index(fields=["primary_therapist", "name"], name="client_therapist_name_idx"),
            # Service outcomes: referrals (clients created) in a period, by month or therapist.
            models.Index(fields=["created_at", "primary_therapist"], name="client_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.record_number})"

    def save(self, *args, **kwargs) -> None:
        if not self.record_number:
            self.record_number = new_record_number()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])


class SafetyPlan(models.Model):
    """One version of a client's safety plan (the sections of Stanley & Brown, 2012).

    Versions are never changed: a review saves a new one (`openipt.clients.safety`).
    """

    SECTIONS = (
        "warning_signs",
        "coping_strategies",
        "distractions",
        "people_to_ask",
        "professionals",
        "safe_environment",
        "reasons_for_living",
    )

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="safety_plans")
    version = models.PositiveIntegerField()
    warning_signs = EncryptedTextField(
        _("warning signs"),
        blank=True,
        validators=[no_control_characters],
        help_text=_(
            "Thoughts, images, moods, situations or behaviour that a crisis may be coming."
        ),
    )
    coping_strategies = EncryptedTextField(
        _("things I can do on my own"),
        blank=True,
        validators=[no_control_characters],
        help_text=_(
            "Internal coping strategies: what takes the mind off problems without another person."
        ),
    )
    distractions = EncryptedTextField(
        _("people and places that take my mind off things"),
        blank=True,
        validators=[no_control_characters],
        help_text=_("People and social settings that distract."),
    )
    people_to_ask = EncryptedTextField(
        _("people I can ask for help"),
        blank=True,
        validators=[no_control_characters],
        help_text=_("Family members or friends, with how to reach them."),
    )
    professionals = EncryptedTextField(
        _("professionals and crisis lines"),
        blank=True,
        validators=[no_control_characters],
        help_text=_("Clinicians, the service, out-of-hours and emergency numbers, crisis lines."),
    )
    safe_environment = EncryptedTextField(
        _("making my surroundings safe"),
        blank=True,
        validators=[no_control_characters],
        help_text=_("What will be removed or kept away, and by whom."),
    )
    reasons_for_living = EncryptedTextField(
        _("my reasons for living"),
        blank=True,
        validators=[no_control_characters],
        help_text=_("What matters most and is worth living for, in the client's words."),
    )
    shared_with_client = models.BooleanField(
        _("show this plan to the client in the portal"), default=True
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["client", "version"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="safety_plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"safety plan v{self.version} of client #{self.client_id}"

    def get_absolute_url(self) -> str:
        return reverse("clients:safety_plan", args=[self.client_id])

    def sections(self) -> list[tuple[str, str, str]]:
        """Return (field name, label, text) of every section, in the plan's order."""
        return [
            (name, str(self._meta.get_field(name).verbose_name), getattr(self, name))  # type: ignore[union-attr]
            for name in self.SECTIONS
        ]
