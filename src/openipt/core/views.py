"""Pages that belong to no one area: the home redirect, health checks and errors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HOME_BY_ROLE = {
    "therapist": "courses:caseload",
    "supervisor": "insights:dashboard",
    "client": "portal:home",
    "admin": "manage:users",
    "facilitator": "groups:list",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it starts from."""
    return redirect(HOME_BY_ROLE.get(request.user.role, "account_login"))  # type: ignore[union-attr]


@login_required
@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    """List the references that the [S…] tags on every page point to."""
    from openipt.protocol.sources import all_sources

    return render(request, "core/sources.html", {"sources": all_sources().values()})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Report that the process is up, without touching the database."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Report ready only when the database and the shared cache (sessions, kept pages)
    answer, so a balancer can route around us."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        cache.get("openipt:readyz")
    except Exception as exc:  # noqa: BLE001 - any failure of either means not ready
        return JsonResponse({"status": "unavailable", "detail": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok"})


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"code": 400}, status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"code": 403, "detail": exception}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"code": 404}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/error.html", {"code": 500}, status=500)
