"""allauth's second factor: secrets encrypted with the field keys, wrong codes locked out.

allauth stores TOTP keys and recovery-code seeds in the clear unless its adapter encrypts
them; a copy of the database or a backup would then carry everyone's second factor. They
are encrypted here with the same MultiFernet keys as clinical notes (kept outside the
database), and `rotate_mfa_secrets` re-encrypts them when the keys rotate.

A wrong code is a failed sign-in: django-axes records it (with its address, beside wrong
passwords) and locks the user and address out exactly as for passwords. Only someone who
knows the password reaches the code, so wrong codes are also limited per user across all
addresses: no spread of addresses buys more guesses, and nobody else can lock a user out.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import forms as allauth_forms
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from openipt.core import crypto
from openipt.core.throttling import bump

SECRET_KEYS = ("secret", "seed")


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(crypto.TOKEN_PREFIX):
            return encrypted_text  # enrolled before encryption was switched on
        return crypto.decrypt(encrypted_text, where="a two-factor secret")


def rotate_mfa_secrets() -> int:
    """Re-encrypt every stored MFA secret under the current key; return how many changed.

    Plain-text secrets from before encryption are encrypted on the way.
    """
    from allauth.mfa.models import Authenticator

    changed = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
            data = dict(authenticator.data)
            for key in SECRET_KEYS:
                value = data.get(key)
                if not isinstance(value, str):
                    continue
                if value.startswith(crypto.TOKEN_PREFIX):
                    data[key] = crypto.rotate(value)
                else:
                    data[key] = crypto.encrypt(value)
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                changed += 1
    return changed


class LockoutMixin:
    """Refuse every code while locked out; count each wrong one as a failed sign-in."""

    user: Any

    def clean_code(self) -> str:
        request = context.request
        credentials = get_credentials(self.user.get_username())
        user_key = f"mfa_failures_{self.user.pk}"
        limit = settings.AXES_FAILURE_LIMIT
        if AxesProxyHandler.is_locked(request, credentials) or cache.get(user_key, 0) >= limit:
            # AxesMiddleware answers with the same lockout page as for passwords.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise get_account_adapter().validation_error("too_many_login_attempts")
        try:
            code: str = super().clean_code()  # type: ignore[misc]  # allauth's form
        except ValidationError:
            cool_off = get_cool_off(request)
            # Without a cool-off axes locks for good; the per-user count then lasts a day.
            bump(user_key, int(cool_off.total_seconds()) if cool_off else 24 * 3600)
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            raise
        cache.delete(user_key)
        return code


class AuthenticateForm(LockoutMixin, allauth_forms.AuthenticateForm):
    """The code asked for after the password at sign-in."""


class ReauthenticateForm(LockoutMixin, allauth_forms.ReauthenticateForm):
    """The code asked for again before an export or an erasure."""
