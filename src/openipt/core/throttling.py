"""API rate limits: per signed-in user, and failed authentications per address.

django-ninja checks throttles only after authentication succeeds, so its anonymous
throttle never sees a request without a valid token; the API's 401 handler counts those
failures here instead. Rates are read from settings on every request; counts live in the
shared cache, so every worker and host draws on one allowance, and an address is the
client's behind the trusted proxies (openipt.core.addresses).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from openipt.core.addresses import client_address

RATE_PERIODS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """Return (requests, seconds) from "count/period", e.g. "1200/m"; refuse others."""
    count, _, period = rate.partition("/")
    digits = period.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = period[len(digits) :]
    if not count.isdigit() or unit not in RATE_PERIODS or (digits and not digits.isdigit()):
        raise ValueError(f"A rate looks like 1200/m or 10/5s, not {rate!r}")
    return int(count), int(digits or 1) * RATE_PERIODS[unit]


class UserRateThrottle(SimpleRateThrottle):
    """Limit each signed-in user to OPENIPT_API_RATE_USER requests."""

    scope = "user"
    setting = "OPENIPT_API_RATE_USER"

    def __init__(self) -> None:  # the rate is read per request, not at import
        self.rate = None

    def allow_request(self, request: HttpRequest) -> bool:
        self.num_requests, self.duration = parse_rate(getattr(settings, self.setting))
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user: Any = getattr(request, "auth", None) or getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        # The sign-up time as well as the id: a reused id never inherits another history.
        joined = int(user.date_joined.timestamp() * 1_000_000)
        return f"throttle_user_{user.pk}_{joined}"


def count_failed_auth(request: HttpRequest) -> int | None:
    """Count a failed API authentication; return seconds to wait once over the limit.

    A valid token is never refused: only requests that fail to authenticate are counted
    and, past OPENIPT_API_RATE_ANON per address, answered 429 instead of 401.
    """
    count, seconds = parse_rate(settings.OPENIPT_API_RATE_ANON)
    failures = bump(f"throttle_authfail_{client_address(request)}", seconds)
    return seconds if failures > count else None


def bump(key: str, seconds: int) -> int:
    """Add one to a counter in the shared cache that starts afresh after `seconds`."""
    if cache.add(key, 1, seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1
