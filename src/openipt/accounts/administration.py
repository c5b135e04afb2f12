"""What an admin may do to accounts, written once for the admin pages and their tests.

The admin role decides who may sign in and in which role; it never acts or sees as a
clinician. Hence these rules:

- An admin never changes their own role, supervisor or active state: another admin does,
  and each change is an AccountEvent besides auditlog's field-by-field row. A role change
  ends the account's API tokens, so no token outlives the role it was issued under.
- An admin has no supervisor and supervises nobody: only a therapist or a facilitator has a
  supervisor, and only an active supervisor can be one.
- Client accounts are not the admin's: they are made and switched off by the client's
  therapist through the portal, and an admin does not even learn who is a client.
- Passwords and second factors are never typed or removed by an admin. An admin may send
  a reset link to the address on file or deactivate the account; a lost second factor is
  replaced with the user's recovery codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest

from openipt import policy
from openipt.accounts.models import AccountEvent, ApiToken, User, UserQuerySet
from openipt.accounts.services import SUPERVISED_ROLES, create_user
from openipt.core.errors import Problems

MANAGED_ROLES = (
    User.Role.THERAPIST,
    User.Role.SUPERVISOR,
    User.Role.ADMIN,
    User.Role.FACILITATOR,
)


def managed_users() -> UserQuerySet:
    """Return the accounts an admin manages: staff, never clients."""
    return User.objects.filter(role__in=MANAGED_ROLES)


def supervisors() -> UserQuerySet:
    """Return the active supervisors a therapist may be assigned to."""
    return User.objects.filter(role=User.Role.SUPERVISOR, is_active=True).order_by("username")


def get_managed_user(actor: User, user_id: int) -> User:
    """Return a staff account for an admin, or raise 404 (403 for any other role)."""
    require_admin(actor)
    try:
        return managed_users().select_related("supervisor").get(pk=user_id)
    except User.DoesNotExist:
        raise Http404("No such account.") from None


def get_staff_token(actor: User, token_id: int) -> ApiToken:
    """Return a staff member's token for an admin, or raise 404 (403 for any other role)."""
    require_admin(actor)
    try:
        return ApiToken.objects.select_related("user").get(
            pk=token_id, user__role__in=MANAGED_ROLES
        )
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None


def require_admin(actor: User) -> None:
    """Refuse anyone but an active admin."""
    if not policy.is_admin(actor):
        raise PermissionDenied("Only an admin manages accounts.")


@dataclass(frozen=True)
class AccountChange:
    display_name: str
    role: str
    supervisor: User | None
    is_active: bool


@transaction.atomic
def create_account(
    actor: User, *, username: str, display_name: str, email: str, role: str, supervisor: User | None
) -> User:
    """Create a staff account without a password; its owner sets one from a reset link."""
    require_admin(actor)
    problems = Problems()
    if role not in MANAGED_ROLES:
        with problems.check():
            raise ValidationError({"role": "An admin creates therapists, supervisors and admins."})
    else:
        with problems.check():
            _check_supervisor(None, role, supervisor)
    if email and User.objects.filter(email__iexact=email).exists():
        with problems.check():
            raise ValidationError({"email": "Another account uses this email address."})
    problems.raise_any()
    user = create_user(
        username,
        role,
        None,
        supervisor=supervisor.username if supervisor else None,
        display_name=display_name,
        email=email,
    )
    AccountEvent.record(AccountEvent.Kind.CREATED, user, actor, f"as {user.get_role_display()}")
    return user


@transaction.atomic
def change_account(actor: User, subject: User, change: AccountChange) -> list[AccountEvent]:
    """Apply an admin's change to a staff account and return the events it recorded."""
    require_admin(actor)
    subject = managed_users().select_for_update().get(pk=subject.pk)
    _check_change(actor, subject, change)
    events = _describe(actor, subject, change)
    role_changed = subject.role != change.role
    subject.display_name = change.display_name
    subject.role = change.role
    subject.supervisor = change.supervisor
    subject.is_active = change.is_active
    subject.save(update_fields=["display_name", "role", "supervisor", "is_active"])
    if role_changed:
        ApiToken.objects.filter(user=subject).revoke("the role changed")
    return [AccountEvent.record(kind, subject, actor, detail) for kind, detail in events]


def _check_change(actor: User, subject: User, change: AccountChange) -> None:
    errors: dict[str, str] = {}
    if change.role not in MANAGED_ROLES:
        errors["role"] = "An admin gives the roles therapist, supervisor and admin."
    if subject.pk == actor.pk:
        if change.role != subject.role:
            errors["role"] = "You cannot change your own role: ask another admin."
        if change.supervisor != subject.supervisor:
            errors["supervisor"] = "You cannot change your own supervisor: ask another admin."
        if not change.is_active:
            errors["is_active"] = "You cannot deactivate your own account."
    if errors:
        raise ValidationError(errors)
    _check_supervisor(subject, change.role, change.supervisor)
    leaving = subject.role == User.Role.SUPERVISOR and change.role != User.Role.SUPERVISOR
    if (leaving or not change.is_active) and subject.supervisees.exists():
        raise ValidationError(
            {"role" if leaving else "is_active": "Give their therapists another supervisor first."}
        )


def _check_supervisor(subject: User | None, role: str, supervisor: User | None) -> None:
    if supervisor is None:
        return
    if role not in SUPERVISED_ROLES:
        raise ValidationError({"supervisor": "Only a therapist or a facilitator has a supervisor."})
    if subject is not None and supervisor.pk == subject.pk:
        raise ValidationError({"supervisor": "Nobody supervises themselves."})
    if supervisor.role != User.Role.SUPERVISOR or not supervisor.is_active:
        raise ValidationError({"supervisor": "Choose an active supervisor."})


def _describe(actor: User, subject: User, change: AccountChange) -> list[tuple[str, str]]:
    kinds = AccountEvent.Kind
    events: list[tuple[str, str]] = []
    if subject.display_name != change.display_name:
        events.append((kinds.NAME_CHANGED, f"{subject.display_name!r} → {change.display_name!r}"))
    if subject.role != change.role:
        events.append((kinds.ROLE_CHANGED, f"{subject.role} → {change.role}"))
    if subject.supervisor != change.supervisor:
        old = subject.supervisor.username if subject.supervisor else "none"
        new = change.supervisor.username if change.supervisor else "none"
        events.append((kinds.SUPERVISOR_CHANGED, f"{old} → {new}"))
    if subject.is_active != change.is_active:
        events.append((kinds.REACTIVATED if change.is_active else kinds.DEACTIVATED, ""))
    return events


def send_password_reset(actor: User, subject: User, request: HttpRequest) -> None:
    """Email the account's owner a link to set a new password; the admin never sees it."""
    from allauth.account.forms import default_token_generator
    from allauth.account.internal.flows.password_reset import request_password_reset

    require_admin(actor)
    if subject.pk == actor.pk:
        raise ValidationError("Change your own password from your account menu.")
    if not subject.is_active:
        raise ValidationError("The account is deactivated: reactivate it first.")
    if not subject.email:
        raise ValidationError("This account has no email address to send a link to.")
    # allauth's own reset flow, for exactly this user (its public form would look the
    # address up and could reach another account that shares it).
    request_password_reset(request, subject.email, [subject], default_token_generator)
    AccountEvent.record(AccountEvent.Kind.PASSWORD_RESET_SENT, subject, actor, subject.email)
