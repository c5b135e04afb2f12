"""Read settings from the environment through small typed helpers that fail loudly."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable as text, or the default when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; refuse words that are neither yes nor no."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the variable as a whole number, checked against a lower bound."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """Return the variable if it is one of the allowed words."""
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        allowed = ", ".join(choices)
        raise ImproperlyConfigured(f"{name} must be one of {allowed}, not {value!r}")
    return value


def data_dir() -> Path:
    """Return the directory that holds the SQLite file, keys and backups, creating it."""
    path = Path(env_str("OPENIPT_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path, *, production: bool) -> str:
    """Return OPENIPT_SECRET_KEY, or one generated once and kept under the data dir.

    Production must be given its key explicitly, so that every app worker of a service
    shares it and it is never created by accident on one host only.
    """
    key = env_str("OPENIPT_SECRET_KEY")
    if key:
        if production and len(key) < 50:
            raise ImproperlyConfigured("OPENIPT_SECRET_KEY must be at least 50 characters")
        return key
    if production:
        raise ImproperlyConfigured("OPENIPT_SECRET_KEY must be set when OPENIPT_ENV=production")
    path = directory / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()
