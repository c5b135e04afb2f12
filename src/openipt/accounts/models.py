"""Users, their roles, and the personal access tokens that the REST API accepts."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet["User"]):
    def therapists(self) -> UserQuerySet:
        return self.filter(role=User.Role.THERAPIST, is_active=True)

    def supervised_by(self, supervisor: User) -> UserQuerySet:
        return self.filter(supervisor=supervisor)


class OpenIPTUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in: a therapist, a supervisor, a client or an admin."""

    class Role(models.TextChoices):
        THERAPIST = "therapist", _("Therapist")
        SUPERVISOR = "supervisor", _("Supervisor")
        CLIENT = "client", _("Client")
        ADMIN = "admin", _("Admin")

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.THERAPIST)
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisees",
        limit_choices_to={"role": "supervisor"},
    )
    display_name = models.CharField(max_length=150, blank=True)

    objects = OpenIPTUserManager()  # type: ignore[misc]

    class Meta:
        indexes = [
            # The supervisor dashboard lists a supervisor's therapists.
            models.Index(fields=["supervisor", "role"], name="user_supervisor_role_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_therapist(self) -> bool:
        return self.role == self.Role.THERAPIST

    @property
    def is_supervisor(self) -> bool:
        return self.role == self.Role.SUPERVISOR

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT

    @property
    def is_admin_role(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_clinician(self) -> bool:
        """Return True for roles that see clinical records (therapists and supervisors)."""
        return self.role in (self.Role.THERAPIST, self.Role.SUPERVISOR)


def hash_token(token: str) -> str:
    """Return the digest kept in the database; the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal access token for the REST API, stored as a SHA-256 digest."""

    PREFIX = "oipt_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"token {self.name or self.pk} of {self.user}"

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is shown once only."""
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=hash_token(secret))
        return token, secret

    @classmethod
    def user_for(cls, secret: str) -> User | None:
        """Return the active user who owns this secret, or None."""
        if not secret.startswith(cls.PREFIX) or len(secret) > 200:
            return None
        token = cls.objects.usable().select_related("user").filter(digest=hash_token(secret))
        found = token.first()
        if found is None:
            return None
        cls.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found.user
