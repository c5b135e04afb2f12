"""allauth's MFA secrets (TOTP keys, recovery-code seeds) encrypted with the field keys.

allauth stores them in the clear unless its adapter encrypts them; a copy of the database
or a backup would then carry everyone's second factor. They are encrypted here with the
same MultiFernet keys as clinical notes (kept outside the database), and
`rotate_mfa_secrets` re-encrypts them when the keys rotate.
"""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from django.db import transaction

from openipt.core import crypto

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
