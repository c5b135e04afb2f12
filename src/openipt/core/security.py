"""Who must use a second factor, how long a session may sit idle, and re-authentication.

The middleware in `openipt.core.middleware` and the API's token check both ask these
helpers, so the rules are written once. Settings are read when called, never at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib.auth.decorators import login_required

from openipt import policy

STAFF_ROLES = ("therapist", "supervisor", "admin", "facilitator")
# A second factor is a TOTP app or a security key; recovery codes only back those up.
SECOND_FACTORS = ("totp", "webauthn")

V = TypeVar("V", bound=Callable[..., Any])


def is_staff_user(user: Any) -> bool:
    """Return True for the roles that must use a second factor: everyone but clients."""
    if not getattr(user, "is_authenticated", False):
        return False
    return policy.has_role(user, *STAFF_ROLES) or bool(getattr(user, "is_staff", False))


def mfa_required() -> bool:
    """Return whether staff must have a second factor (OPENIPT_REQUIRE_MFA)."""
    return bool(getattr(settings, "OPENIPT_REQUIRE_MFA", settings.PRODUCTION))


def has_second_factor(user: Any) -> bool:
    """Return True when the user has enrolled a TOTP app or a security key."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def lacks_required_mfa(user: Any) -> bool:
    """Return True for a signed-in staff user who must but does not yet use MFA."""
    return mfa_required() and is_staff_user(user) and not has_second_factor(user)


def idle_limit_seconds(user: Any) -> int:
    """Return how long this user's session may sit idle before it ends."""
    if policy.is_client(user):
        return int(settings.OPENIPT_CLIENT_IDLE_MINUTES) * 60
    return int(settings.OPENIPT_IDLE_MINUTES) * 60


def reauth_required(view: V) -> V:
    """Ask for the password (or second factor) again before a sensitive page.

    Wrap views that export or erase records. Within ACCOUNT_REAUTHENTICATION_TIMEOUT of
    the last sign-in or re-authentication the view runs; otherwise allauth sends the user
    to /accounts/reauthenticate/ and replays the request afterwards. For web views only:
    an API call authenticates with its bearer token on every request.
    """
    return login_required(reauthentication_required(view, allow_get=False))  # type: ignore[no-any-return]


def harden_admin_login() -> None:
    """Send the Django admin's own login form to allauth's, so it cannot skip MFA or axes."""
    from allauth.account.decorators import secure_admin_login
    from django.contrib import admin

    if not getattr(admin.site.login, "openipt_hardened", False):
        login = secure_admin_login(admin.site.login)
        login.openipt_hardened = True  # type: ignore[attr-defined]
        admin.site.login = login  # type: ignore[method-assign]
