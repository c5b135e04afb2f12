"""Turn a full disk or a lost database connection into a clear 503, not a bare 500.

Either way the transaction was rolled back, so the user is told plainly that nothing was
saved and whether to wait (connection lost) or call the administrator (storage full).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("openipt.storage")

# SQLite says "database or disk is full"; PostgreSQL reports SQLSTATE 53100 (disk_full).
FULL_MESSAGES = ("database or disk is full", "no space left on device", "could not extend file")
FULL_SQLSTATES = {"53100"}
# Connection lost: class 08 (connection exception) and 57P01-57P03 (server shut down).
LOST_SQLSTATES = {"57P01", "57P02", "57P03"}
LOST_MESSAGES = (
    "server closed the connection",
    "terminating connection",
    "connection already closed",
    "the connection is closed",
    "consuming input failed",
    "connection is lost",
)

DETAIL = {
    "storage_full": (
        "Storage full: the service's disk is full, so nothing was saved. "
        "Please tell your administrator and try again later."
    ),
    "database_unavailable": (
        "Database unavailable: the connection to the database was lost, so nothing was "
        "saved. Please try again in a moment."
    ),
}


def _sqlstate(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return str(getattr(cause, "sqlstate", "") or getattr(cause, "pgcode", "") or "")


def classify(exc: BaseException) -> str | None:
    """Return "storage_full", "database_unavailable", or None for other errors.

    A full disk shows as a database error, or as an OSError from the file cache (sessions
    and throttle counts live there on a single host) when it wrote first.
    """
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "storage_full"
    if not isinstance(exc, DatabaseError):
        return None
    text = str(exc).lower()
    state = _sqlstate(exc)
    if state in FULL_SQLSTATES or any(m in text for m in FULL_MESSAGES):
        return "storage_full"
    if state.startswith("08") or state in LOST_SQLSTATES or any(m in text for m in LOST_MESSAGES):
        return "database_unavailable"
    return None


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path_info.startswith("/api/") or "application/json" in accept


class StorageErrorMiddleware:
    """Answer 503 with a plain explanation when the database is full or unreachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        reason = classify(exc)
        if reason is None:
            return None
        logger.error("%s on %s %s: %s", reason, request.method, request.path, exc)
        if reason == "database_unavailable":
            # Drop broken connections now rather than waiting for the health check.
            for conn in connections.all(initialized_only=True):
                conn.close_if_unusable_or_obsolete()
        if _wants_json(request):
            response: HttpResponse = JsonResponse(
                {"detail": DETAIL[reason], "code": reason}, status=503
            )
        else:
            html = render_to_string("privacy/storage_full.html", {"reason": reason})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = "60" if reason == "storage_full" else "5"
        response["Cache-Control"] = "no-store"
        return response
