"""Issue, list and revoke API tokens: one set of rules for the pages and the command line.

A token is issued by its owner for themselves (or by the operator on the command line) and
never changes hands. Its owner may revoke it; an admin may revoke a staff member's token,
giving a reason that the account's history keeps; nobody else may touch it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.accounts.models import AccountEvent, ApiToken, ApiTokenQuerySet, User

# Roles that may hold a token issued on the web; clients reach their own record through
# the portal pages.
TOKEN_ROLES = (
    User.Role.THERAPIST,
    User.Role.SUPERVISOR,
    User.Role.ADMIN,
    User.Role.FACILITATOR,
)


def tokens_of(owner: User) -> ApiTokenQuerySet:
    """Return the owner's tokens, newest first."""
    return ApiToken.objects.filter(user=owner).order_by("-created_at", "-pk")


@transaction.atomic
def issue_token(owner: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token to its owner and return it with the secret, shown once only."""
    if not owner.is_active:
        raise ValidationError(f"{owner.username} is not an active user.")
    token, secret = ApiToken.issue(owner, name=name.strip(), days=days)
    expires = timezone.localtime(token.expires_at).date().isoformat()
    AccountEvent.record(
        AccountEvent.Kind.TOKEN_CREATED, owner, owner, f"{token.name or token.pk}, until {expires}"
    )
    return token, secret


@transaction.atomic
def revoke_token(actor: User | None, token: ApiToken, reason: str = "") -> bool:
    """Revoke one token; return False when it was already revoked.

    `actor` None is the operator on the command line. An admin revoking someone else's
    token must say why.
    """
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if actor is not None and not policy.may_revoke_token(actor, token):
        raise PermissionDenied("Only the token's owner or an admin may revoke it.")
    if actor is not None and actor.pk != token.user_id and not reason.strip():
        raise ValidationError({"reason": "Say why you revoke someone else's token."})
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    detail = f"{token.name or token.pk}" + (f": {reason.strip()}" if reason.strip() else "")
    AccountEvent.record(AccountEvent.Kind.TOKEN_REVOKED, token.user, actor, detail)
    return True
