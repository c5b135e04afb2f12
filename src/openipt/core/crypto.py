"""Field-encryption keys and the MultiFernet that uses them.

Keys come from OPENIPT_FIELD_KEYS (comma-separated Fernet keys, the first encrypts) or from
the key file (one key a line, the first encrypts). They are never stored in the database, so
a copy of the database or a backup of it cannot be read without them. Keys are read when
first needed, not at import, and the key file is re-read when it changes, so that every
server process picks up a rotation made by `openipt keys rotate`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from openipt.core import keyfiles

# Every Fernet token starts with version byte 0x80, which base64 writes as "gAAAAA".
TOKEN_PREFIX = "gAAAAA"
KEY_SETTINGS = ("OPENIPT_FIELD_KEYS", "OPENIPT_FIELD_KEY_FILE", "PRODUCTION")
HEADER = (
    "# OpenIPT field-encryption keys: the first encrypts. Keep a copy apart\n"
    "# from the database backups; without it the notes cannot be read.\n"
)


class FieldKeyError(ImproperlyConfigured):
    """The field-encryption keys are missing or malformed."""


class DecryptionError(Exception):
    """A stored value cannot be decrypted with the configured keys."""


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


def generate_key() -> str:
    """Return a new random Fernet key as text."""
    return Fernet.generate_key().decode()


def fingerprint(key: str) -> str:
    """Return a short digest that names a key in messages without revealing it."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def key_file() -> Path:
    return Path(settings.OPENIPT_FIELD_KEY_FILE)


def keys_from_environment() -> bool:
    """Return whether the keys come from OPENIPT_FIELD_KEYS rather than the key file."""
    return bool(settings.OPENIPT_FIELD_KEYS)


def _validated(keys: Sequence[str], where: str) -> tuple[str, ...]:
    if not keys:
        raise FieldKeyError(f"{where} holds no field-encryption key.")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise FieldKeyError(
                f"Key {position} in {where} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with `openipt keys generate`)."
            ) from None
    return tuple(keys)


def read_key_file(path: Path) -> tuple[str, ...]:
    """Return the keys in the file: one a line, blank lines and # comments ignored."""
    return _validated(keyfiles.read_keys(path), str(path))


def write_key_file(path: Path, keys: Sequence[str]) -> None:
    """Replace the key file atomically with these keys, readable by the owner only."""
    _validated(keys, "the new key list")
    keyfiles.write_keys(path, keys, HEADER)
    reset()


def create_key_file(path: Path) -> bool:
    """Create the key file with one new key unless it exists; return whether it was made.

    Several server processes may start at once: the file is linked into place, so exactly
    one of them creates it and the others read the same key.
    """
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(generate_key() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
    return True


def _source_signature() -> tuple[object, ...]:
    return keyfiles.source_signature(settings.OPENIPT_FIELD_KEYS, key_file())


def _load(signature: tuple[object, ...]) -> tuple[str, ...]:
    if signature[0] == "env":
        return _validated(settings.OPENIPT_FIELD_KEYS, "OPENIPT_FIELD_KEYS")
    path = key_file()
    if signature[0] == "missing":
        if settings.PRODUCTION:
            raise FieldKeyError(
                f"No field-encryption keys: set OPENIPT_FIELD_KEYS or create {path} "
                "with `openipt keys generate --write` (and keep a copy apart from backups)."
            )
        create_key_file(path)
    return read_key_file(path)


def load_keys() -> tuple[str, ...]:
    """Return the configured keys, the current one first, reading them if they changed."""
    signature = _source_signature()
    with _lock:
        if _cache.get("signature") != signature:
            keys = _load(signature)
            _cache.update(signature=_source_signature(), keys=keys, fernet=None)
        return _cache["keys"]  # type: ignore[return-value]


def multifernet() -> MultiFernet:
    """Return the MultiFernet over the configured keys (encrypts with the first)."""
    keys = load_keys()
    with _lock:
        cached = _cache.get("fernet")
        if cached is None:
            cached = MultiFernet([Fernet(key.encode()) for key in keys])
            _cache["fernet"] = cached
    return cached  # type: ignore[return-value]


def encrypt(text: str) -> str:
    """Return the text as a Fernet token under the current key."""
    return multifernet().encrypt(text.encode("utf-8")).decode("ascii")


def encryptor() -> Callable[[str], str]:
    """Return a function that encrypts under the current key, for writing many values.

    `encrypt` checks the key file for each value; a bulk writer (openipt synth) takes the
    key once per batch instead.
    """
    fernet = multifernet()

    def seal(text: str) -> str:
        return fernet.encrypt(text.encode("utf-8")).decode("ascii")

    return seal


def decrypt(token: str, *, where: str = "a stored value") -> str:
    """Return the plain text of a token, or raise DecryptionError saying why it failed."""
    if not token.startswith(TOKEN_PREFIX):
        raise DecryptionError(
            f"{where} is not encrypted (plain text found where a token was expected): "
            "encrypt existing rows with the migration helper encrypt_existing_values()."
        )
    try:
        return multifernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionError(
            f"{where} cannot be decrypted with the configured field keys "
            "(OPENIPT_FIELD_KEYS or the key file): the key that encrypted it is missing. "
            "Restore the key file or add the old key back, then run `openipt keys rotate`."
        ) from None


def rotate(token: str) -> str:
    """Return the token re-encrypted under the current key (any configured key may open it)."""
    try:
        return multifernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise DecryptionError(
            "A stored value cannot be decrypted with any configured key; rotation stopped "
            "before changing it."
        ) from None


def opens_with_current_key(token: str) -> bool:
    """Return whether the first (current) key alone decrypts the token."""
    current = Fernet(load_keys()[0].encode())
    try:
        current.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True
