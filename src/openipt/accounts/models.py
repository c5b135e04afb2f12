"""Users, their roles, and the personal access tokens that the REST API accepts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
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
        # A non-specialist who runs IPT groups under supervision (openipt.groups).
        FACILITATOR = "facilitator", _("Facilitator")

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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, and end every API token when the password changes or the account closes.

        Every way of changing a password (allauth's change and reset pages, Django's
        set_password, a reset link an admin sent) ends here, so a token never outlives the
        password of the person it was issued to. A hash upgrade at sign-in does not count:
        Django clears `_password` before that save.
        """
        password_changed = self.pk is not None and self._password is not None  # type: ignore[attr-defined]
        with transaction.atomic():
            super().save(*args, **kwargs)
            if password_changed:
                AccountEvent.record(AccountEvent.Kind.PASSWORD_CHANGED, self)
                ApiToken.objects.filter(user=self).revoke("the password changed")
            elif not self.is_active:
                ApiToken.objects.filter(user=self).revoke("the account is deactivated")

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
    def is_facilitator(self) -> bool:
        return self.role == self.Role.FACILITATOR

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


def name_in_history(user_id: int, username: str, role: str) -> str:
    """Return how the account history names an account: a client by number only, so that
    erasing the client (which renames their account) leaves no name behind."""
    return f"client #{user_id}" if role == User.Role.CLIENT else username


def token_lifetime(days: int | None) -> timedelta:
    """Return how long a new token lives: the default, or `days` up to the maximum."""
    days = settings.OPENIPT_API_TOKEN_DAYS if days is None else days
    most = settings.OPENIPT_API_TOKEN_MAX_DAYS
    if not 1 <= days <= most:
        raise ValidationError({"days": f"A token lives from 1 to {most} days, not {days}."})
    return timedelta(days=days)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(
            revoked_at__isnull=True, user__is_active=True, expires_at__gt=timezone.now()
        )

    def unrevoked(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def revoke(self, why: str) -> int:
        """Revoke the tokens not yet revoked; record one event per owner; return how many.

        One UPDATE per owner; auditlog sees no model save here, which is why the account
        event is written explicitly, saying `why` ("the password changed").
        """
        owners = self.unrevoked().values_list("user_id", "user__username", "user__role")
        total = 0
        for user_id, username, role in owners.distinct():
            count = self.unrevoked().filter(user_id=user_id).update(revoked_at=timezone.now())
            total += count
            AccountEvent.objects.create(
                kind=AccountEvent.Kind.TOKENS_REVOKED,
                subject_id=user_id,
                subject_username=name_in_history(user_id, username, role),
                detail=f"{count} ended: {why}",
            )
        return total


class ApiToken(models.Model):
    """A personal access token for the REST API, stored as a SHA-256 digest.

    A token belongs to the person it was issued to for its whole life: its owner cannot be
    edited (`editable=False`, and save() refuses a change), only the token revoked.
    """

    PREFIX = "oipt_"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", editable=False
    )
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"token {self.name or self.pk} of {self.user}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, refusing to move an existing token to another owner."""
        if self.pk is not None:
            moved = ApiToken.objects.filter(pk=self.pk).exclude(user_id=self.user_id)
            if moved.exists():
                raise ValidationError("A token's owner cannot change: revoke it instead.")
        super().save(*args, **kwargs)

    @classmethod
    def issue(cls, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is shown once only."""
        expires_at = timezone.now() + token_lifetime(days)
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, digest=hash_token(secret), expires_at=expires_at
        )
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

    @property
    def state(self) -> str:
        """Return "revoked", "expired" or "active", for lists."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"


class AccountEvent(models.Model):
    """A security event on an account, in words: who did what to whose account, when.

    auditlog keeps the field-by-field record of every save; this names the event (a role
    changed, every token ended) so an admin can read an account's history at a glance.
    Usernames are copied so the history survives the deletion of either account (a client
    is named by number: see name_in_history).
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Account created")
        ROLE_CHANGED = "role_changed", _("Role changed")
        SUPERVISOR_CHANGED = "supervisor_changed", _("Supervisor changed")
        NAME_CHANGED = "name_changed", _("Name changed")
        DEACTIVATED = "deactivated", _("Account deactivated")
        REACTIVATED = "reactivated", _("Account reactivated")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET_SENT = "password_reset_sent", _("Password reset link sent")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        TOKENS_REVOKED = "tokens_revoked", _("All API tokens revoked")

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    subject = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="account_events"
    )
    subject_username = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            # The events page lists newest first, overall and for one account.
            models.Index(fields=["-at"], name="accountevent_at_idx"),
            models.Index(fields=["subject", "-at"], name="accountevent_subject_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_username} by {self.actor_username}"

    @classmethod
    def record(
        cls, kind: str, subject: User, actor: User | None = None, detail: str = ""
    ) -> AccountEvent:
        """Write one event, copying both usernames."""
        return cls.objects.create(
            kind=kind,
            subject=subject,
            subject_username=name_in_history(subject.pk, subject.username, subject.role),
            actor=actor,
            actor_username=actor.username if actor is not None else "",
            detail=detail[:300],
        )
