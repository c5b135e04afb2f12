"""The portal's settings, read at call time so that tests and services can change them."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url(request: HttpRequest | None = None) -> str:
    """Return the address clients reach the service at, without a trailing slash.

    OPENIPT_BASE_URL when set; else the address this request came in on (Django checks its
    host against ALLOWED_HOSTS, and behind the proxy its scheme); else, with no request
    (the command line), the local demo address.
    """
    configured = str(getattr(settings, "OPENIPT_BASE_URL", "") or "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEFAULT_BASE_URL


def invitation_days() -> int:
    """Return how many days an invitation stays valid."""
    return int(getattr(settings, "OPENIPT_PORTAL_INVITATION_DAYS", 7))


def sign_in_minutes() -> int:
    """Return how many minutes an e-mailed sign-in link stays valid."""
    return int(getattr(settings, "OPENIPT_PORTAL_SIGN_IN_MINUTES", 30))


def sign_in_links_per_hour() -> int:
    """Return how many sign-in links one client may be sent in an hour."""
    return int(getattr(settings, "OPENIPT_PORTAL_SIGN_IN_LINKS_PER_HOUR", 3))


def crisis_text() -> str:
    """Return the service's crisis information, shown after a risk answer."""
    return str(getattr(settings, "OPENIPT_CRISIS_TEXT", ""))


def problem_area_naming() -> str:
    """Return the naming scheme the service uses for problem areas."""
    return str(getattr(settings, "OPENIPT_PROBLEM_AREA_NAMING", "canonical"))
