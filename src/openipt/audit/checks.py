"""System checks that keep the security settings consistent (run by `manage.py check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

REQUIRED_MIDDLEWARE = (
    "openipt.core.middleware.RequestIdMiddleware",
    "openipt.core.middleware.RequestLimitsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "openipt.core.middleware.IdleTimeoutMiddleware",
    "openipt.core.middleware.MfaRequiredMiddleware",
    "openipt.audit.middleware.WriteAuditMiddleware",
    "openipt.audit.middleware.AccessAuditMiddleware",
)


def check_security_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Report settings that would weaken lockout, MFA, rate limits or the audit."""
    from openipt.core.throttling import parse_rate

    problems: list[checks.CheckMessage] = []
    limits = getattr(settings, "ACCOUNT_RATE_LIMITS", {}) or {}
    if limits is not False and limits.get("login_failed") is not None:
        problems.append(
            checks.Error(
                "allauth throttles failed logins as well as django-axes.",
                hint='Set ACCOUNT_RATE_LIMITS["login_failed"] = None: axes is the one lockout.',
                id="openipt.E001",
            )
        )
    if settings.AUTHENTICATION_BACKENDS[0] != "axes.backends.AxesStandaloneBackend":
        problems.append(
            checks.Error("django-axes must be the first authentication backend.", id="openipt.E002")
        )
    for name in REQUIRED_MIDDLEWARE:
        if name not in settings.MIDDLEWARE:
            problems.append(checks.Error(f"{name} is missing from MIDDLEWARE.", id="openipt.E003"))
    for setting in ("OPENIPT_API_RATE_USER", "OPENIPT_API_RATE_ANON"):
        try:
            parse_rate(getattr(settings, setting))
        except ValueError as exc:
            problems.append(checks.Error(f"{setting}: {exc}", id="openipt.E004"))
    if settings.PRODUCTION and getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None):
        problems.append(
            checks.Error(
                "MFA_TOTP_INSECURE_BYPASS_CODE lets anyone past TOTP: never in production.",
                id="openipt.E005",
            )
        )
    if settings.PRODUCTION and not settings.OPENIPT_REQUIRE_MFA:
        problems.append(
            checks.Warning(
                "MFA is not required for staff in production.",
                hint="Unset OPENIPT_REQUIRE_MFA (it defaults to on in production).",
                id="openipt.W001",
            )
        )
    return problems
