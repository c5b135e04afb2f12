"""The keys that sign the read audit's chain, kept outside the database.

Each chained event carries an HMAC-SHA256 under one of these keys, so whoever can write the
database but cannot read the keys cannot delete events and re-sign the chain after them.
Keys come from OPENIPT_AUDIT_KEYS (comma-separated, the first signs) or from the key file
(one a line, the first signs); the others only verify what they signed before a rotation.
The key file is made on first use in demo mode; production refuses to start without keys
(AuditConfig.ready). Keys are read when needed and the file again when it changes, so every
process picks up `openipt audit rotate-key`, as with the field keys (openipt.core.crypto).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from openipt.core import crypto, keyfiles

KEY_SETTINGS = ("OPENIPT_AUDIT_KEYS", "OPENIPT_AUDIT_KEY_FILE", "PRODUCTION")
HEADER = (
    "# OpenIPT audit keys: the first signs the read audit, the others verify older events.\n"
    "# Keep a copy apart from the database backups; never remove a key that signed events.\n"
)


class AuditKeyError(ImproperlyConfigured):
    """The audit keys are missing or malformed."""


@dataclass(frozen=True)
class AuditKey:
    """One signing key and the id that events store to name it (a digest, not the key)."""

    text: str = field(repr=False)
    id: str
    secret: bytes = field(repr=False)

    def sign(self, message: str) -> str:
        """Return the HMAC-SHA256 of the message under this key, as hex."""
        return hmac.new(self.secret, message.encode(), hashlib.sha256).hexdigest()

    def signed(self, message: str, mac: str) -> bool:
        """Return whether the mac is this key's signature of the message."""
        return hmac.compare_digest(self.sign(message).encode(), mac.encode())


_lock = threading.Lock()
_cache: dict[str, object] = {}


@receiver(setting_changed)
def _forget_keys_on_setting_change(*, setting: str, **kwargs: object) -> None:
    if setting in KEY_SETTINGS:
        reset()


def reset() -> None:
    """Forget the loaded keys, so that the next use reads them again."""
    with _lock:
        _cache.clear()


def key_file() -> Path:
    return Path(settings.OPENIPT_AUDIT_KEY_FILE)


def source() -> str:
    """Return where the keys come from, for messages."""
    return "OPENIPT_AUDIT_KEYS" if settings.OPENIPT_AUDIT_KEYS else str(key_file())


def parse(keys: Sequence[str], where: str) -> tuple[AuditKey, ...]:
    """Return the keys as signing keys; refuse an empty list or a key that is not 32 bytes."""
    if not keys:
        raise AuditKeyError(f"{where} holds no audit key.")
    parsed = []
    for position, text in enumerate(keys, start=1):
        try:
            secret = base64.urlsafe_b64decode(text.encode("ascii"))
        except (binascii.Error, UnicodeError):
            secret = b""
        if len(secret) != 32:
            raise AuditKeyError(
                f"Key {position} in {where} is not an audit key (32 url-safe base64-encoded "
                "bytes; `openipt keys generate` prints one)."
            )
        parsed.append(AuditKey(text=text, id=crypto.fingerprint(text), secret=secret))
    return tuple(parsed)


def write_key_file(path: Path, keys: Sequence[str]) -> None:
    """Replace the key file atomically with these keys, readable by the owner only."""
    parse(keys, "the new key list")
    keyfiles.write_keys(path, keys, HEADER)
    reset()


def _signature() -> tuple[object, ...]:
    return keyfiles.source_signature(settings.OPENIPT_AUDIT_KEYS, key_file())


def _read(signature: tuple[object, ...]) -> tuple[AuditKey, ...]:
    if signature[0] == "env":
        return parse(settings.OPENIPT_AUDIT_KEYS, "OPENIPT_AUDIT_KEYS")
    path = key_file()
    if signature[0] == "missing":
        if settings.PRODUCTION:
            raise AuditKeyError(
                f"No audit keys: set OPENIPT_AUDIT_KEYS or put a key made by "
                f"`openipt keys generate` in {path} (and keep a copy apart from backups)."
            )
        crypto.create_key_file(path)
    return parse(keyfiles.read_keys(path), str(path))


def load_keys() -> tuple[AuditKey, ...]:
    """Return the configured keys, the signing one first, reading them if they changed."""
    signature = _signature()
    with _lock:
        if _cache.get("signature") != signature:
            keys = _read(signature)
            _cache.update(signature=_signature(), keys=keys)
        return _cache["keys"]  # type: ignore[return-value]


def current() -> AuditKey:
    """Return the key that signs new events."""
    return load_keys()[0]


def keyring() -> dict[str, AuditKey]:
    """Return every configured key by its id, to verify events signed before a rotation."""
    return {key.id: key for key in load_keys()}


def add_new_key() -> AuditKey:
    """Put a new key in front of the key file's keys, keeping the old ones; return it."""
    if settings.OPENIPT_AUDIT_KEYS:
        raise AuditKeyError(
            "The audit keys come from OPENIPT_AUDIT_KEYS: put a new key (`openipt keys "
            "generate`) at its front, keep the old ones after it, and restart the servers."
        )
    old = [key.text for key in load_keys()]
    new = crypto.generate_key()
    write_key_file(key_file(), [new, *old])
    return current()
