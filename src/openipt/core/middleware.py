"""Request-wide protections: request ids, body limits, headers, idle sign-out and MFA.

Each middleware does one thing; their order is set in settings.MIDDLEWARE (see the
comment there). Rules about who needs what live in `openipt.core.security`.
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode

from openipt.core import security

Handler = Callable[[HttpRequest], HttpResponse]

REQUEST_ID_HEADER = "X-Request-ID"
LAST_SEEN_KEY = "openipt_last_seen"
# The last-seen stamp is rewritten at most this often, so that ordinary page views do
# not save the session (a database write) on every request.
LAST_SEEN_GRANULARITY = 60

_request_id: ContextVar[str | None] = ContextVar("openipt_request_id", default=None)


def current_request_id() -> str | None:
    """Return the id of the request being served (auditlog's correlation id getter)."""
    return _request_id.get()


def is_api_path(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def url_path(name: str) -> str:
    """Return the path of a named URL, reversed once per URL map rather than per request."""
    return _reversed(name, get_urlconf(), get_script_prefix())


@functools.lru_cache(maxsize=64)
def _reversed(name: str, urlconf: str | None, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


class RequestIdMiddleware:
    """Give every request an id, shown in the X-Request-ID header and kept in the audit."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestLimitsMiddleware:
    """Refuse oversized bodies (413), numbers too large for the database and deeply nested
    JSON (400) before anything else parses them.

    Python's json parser recurses: without this check a body of 100 000 "[" would end in a
    RecursionError, a 500.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, "The Content-Length header is not a number.")
        content_type = request.META.get("CONTENT_TYPE", "")
        # One limit for every body: OpenIPT takes no file uploads over the web.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _refuse(request, 413, f"The request is too large: the limit is {limit} bytes.")
        try:
            problem = _bad_parameter(request, content_type)
        except (
            RequestDataTooBig,
            TooManyFieldsSent,
            TooManyFilesSent,
            MultiPartParserError,
        ) as exc:
            return _refuse(request, 400, f"The form could not be read: {exc}")
        if problem is not None:
            return _refuse(request, 400, problem)
        if "json" in content_type and length:
            depth = json_depth(request.body)
            if depth > settings.OPENIPT_MAX_JSON_DEPTH:
                return _refuse(
                    request,
                    400,
                    f"The JSON is nested too deeply (more than "
                    f"{settings.OPENIPT_MAX_JSON_DEPTH} levels).",
                )
        return self.get_response(request)


# More digits than a 64-bit integer holds: SQLite raises OverflowError and PostgreSQL
# "out of range" when such a number reaches a query, which would be a 500 (ASVS 1.4.2).
_HUGE_NUMBER = re.compile(r"\s*[-+]?\d{19,}\s*")


def _bad_parameter(request: HttpRequest, content_type: str) -> str | None:
    """Say what is wrong with a query or form parameter that no database could take: a
    number too large to store, or a NUL character in the query string (PostgreSQL refuses
    NUL in text, even in a search filter, which would be a 500). Forms refuse NUL in their
    fields with a form error of their own (`no_control_characters`)."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return f"The query parameter {name!r} contains a NUL character."
    sources = [request.GET]
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        sources.append(request.POST)
    for source in sources:
        for name, values in source.lists():
            if any(_HUGE_NUMBER.fullmatch(v) for v in values):
                return f"The number in {name!r} is too large."
    return None


_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth(body: bytes) -> int:
    """Return the deepest nesting of arrays and objects in a JSON text (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= 1:
        return 1 if body.strip()[:1] in (b"[", b"{") else 0
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _refuse(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    if is_api_path(request) or "json" in request.META.get("CONTENT_TYPE", ""):
        return JsonResponse({"detail": detail}, status=status)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Add the headers Django does not: Permissions-Policy, no-store, the docs' CSP.

    Pages shown to a signed-in user hold health data, so browsers and proxies are told not
    to keep them (ASVS 14.3.2), and signing out clears what the browser kept (14.3.1). The
    Swagger page of the API needs inline styles; it alone gets them, never inline scripts.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or is_api_path(request):
            response.setdefault("Cache-Control", "no-store, private")
        if request.path_info == url_path("account_logout") and request.method == "POST":
            response.setdefault("Clear-Site-Data", '"cache", "storage"')
        if request.path_info == url_path("api:openapi-view"):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}  # type: ignore[attr-defined]
        return response


@receiver(user_logged_in)
def stamp_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Start the idle clock at sign-in, so the first page needs no session write."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Sign out a user whose session sat idle too long (OPENIPT_IDLE_MINUTES for staff)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN_KEY)
        limit = security.idle_limit_seconds(user)
        if isinstance(last_seen, int) and now - last_seen > limit:
            return self._sign_out(request, limit // 60)
        if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_GRANULARITY:
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, minutes: int) -> HttpResponse:
        logout(request)
        detail = f"You were signed out after {minutes} minutes without activity. Sign in again."
        if is_api_path(request):
            return JsonResponse({"detail": detail}, status=401)
        login = reverse("account_login")
        if request.method == "GET":
            login += "?" + urlencode({"next": request.get_full_path()})
        messages.info(request, detail)
        if _is_htmx(request):
            return HttpResponse(status=204, headers={"HX-Redirect": login})
        return HttpResponseRedirect(login)


class MfaRequiredMiddleware:
    """Send staff without a second factor to enrolment when MFA is required.

    Only signing out, the MFA and re-authentication pages, the password change page, the
    health checks and static files stay open to them. API calls get 403 with a JSON detail.
    """

    OPEN_URL_NAMES = (
        "account_logout",
        "account_reauthenticate",
        "account_change_password",
        "core:healthz",
        "core:readyz",
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and security.mfa_required()
            and not self._is_open(request)
            and security.lacks_required_mfa(user)
        ):
            return self._refuse(request)
        return self.get_response(request)

    def _is_open(self, request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        if path.startswith(url_path("mfa_index")):
            return True
        return any(path == url_path(name) for name in self.OPEN_URL_NAMES)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        enrol = reverse("mfa_activate_totp")
        if is_api_path(request):
            detail = (
                "Two-factor authentication is required for staff accounts: "
                f"set it up at {reverse('mfa_index')} before using the API."
            )
            return JsonResponse({"detail": detail}, status=403)
        if _is_htmx(request):
            return HttpResponse(status=204, headers={"HX-Redirect": enrol})
        messages.warning(
            request,
            "Set up two-factor authentication to continue: staff accounts need a second "
            "factor to open client records.",
        )
        return HttpResponseRedirect(enrol)
