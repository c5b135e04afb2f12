"""Record reads of health data as they are served, and name the author of every write.

A URL is clinical when its namespace is one of the clinical areas, when it is an API
operation, or when its resolver kwargs name an object (`client_id`, `course_id`, ...):
so a new app's pages are audited without anyone registering them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from django.utils.functional import SimpleLazyObject

from openipt.audit import services
from openipt.core.addresses import client_address

logger = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]

CLINICAL_NAMESPACES = frozenset(
    {
        "clients",
        "courses",
        "interpersonal",
        "assessments",
        "portal",
        "reports",
        "insights",
        "privacy",
        "groups",
    }
)
# Pages outside those namespaces that show a client their own record.
CLINICAL_VIEW_NAMES = frozenset({"portal:home"})
NEVER_AUDITED_NAMESPACES = frozenset({"admin", "audit"})
API_PUBLIC_URL_NAMES = frozenset({"openapi-json", "openapi-view", "api-root"})
EXPORT_TYPES = ("text/csv", "application/zip", "application/fhir+json", "application/x-ndjson")


def object_kwargs(match: ResolverMatch) -> dict[str, Any]:
    """Return the URL kwargs that name stored objects (those ending in _id)."""
    return {key: value for key, value in match.kwargs.items() if key.endswith("_id")}


def is_clinical(match: ResolverMatch | None) -> bool:
    """Return True when the URL serves health data and its reads must be recorded."""
    if match is None or NEVER_AUDITED_NAMESPACES.intersection(match.namespaces):
        return False
    area = match.namespaces[0] if match.namespaces else ""
    if area == "api":
        return match.url_name not in API_PUBLIC_URL_NAMES
    if area in CLINICAL_NAMESPACES or match.view_name in CLINICAL_VIEW_NAMES:
        return True
    return bool(object_kwargs(match))


def describe(match: ResolverMatch, response: HttpResponse) -> tuple[str, str, dict[str, Any]]:
    """Return (action, object type, ids) for a successful clinical response."""
    ids = object_kwargs(match)
    object_type = next(reversed(ids))[: -len("_id")] if ids else match.view_name
    content_type = response.get("Content-Type", "")
    if "api" in match.namespaces:
        action = "api"
    elif content_type.startswith("application/pdf"):
        action = "pdf"
    elif content_type.startswith(EXPORT_TYPES) or "attachment" in response.get(
        "Content-Disposition", ""
    ):
        action = "export"
    else:
        action = "view" if ids else "list"
    return action, object_type, ids


class AccessAuditMiddleware:
    """Record every successful response to a clinical URL before it is sent.

    The read is stored as a pending row (one INSERT) and linked into the hash chain after
    the response (`services.chain_if_due`). Fails closed: if the read cannot be stored the
    page is not shown (503), because every read of a record must be accounted for.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # A 304 shows the browser's kept copy of the record again: a read like a 200.
        read = 200 <= response.status_code < 300 or response.status_code == 304
        if not read or not is_clinical(match):
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        assert match is not None  # narrowed by is_clinical
        action, object_type, ids = describe(match, response)
        try:
            services.record_access(
                user,
                action,
                object_type,
                ids,
                path=request.path,
                method=request.method or "",
                status=response.status_code,
                request_id=getattr(request, "request_id", None),
                chain=False,
            )
        except Exception:  # any failure to audit must withhold the record
            logger.exception("Could not record access to %s", request.path)
            return HttpResponse(
                "The record could not be shown because its access could not be recorded. "
                "Try again; if this keeps happening, tell your administrator.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        return response


def _signed_in_user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


class WriteAuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the actor looked up when the write happens.

    The API signs its callers in with a bearer token inside the view, after middleware
    ran; resolving the actor lazily lets auditlog name them too. The address recorded is
    the client's behind the trusted proxies (openipt.core.addresses).
    """

    @staticmethod
    def _get_actor(request: HttpRequest) -> Any:
        return SimpleLazyObject(lambda: _signed_in_user(request))

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        # auditlog's own believes any X-Forwarded-For; ours only the trusted proxies'.
        return client_address(request) or None
