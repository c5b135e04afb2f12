"""The admin's audit pages: search the read trail, export it, and see the write log."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openipt.audit import services
from openipt.audit.chain import ChainError
from openipt.audit.forms import AuditSearchForm, ChangeSearchForm
from openipt.audit.models import AccessEvent
from openipt.core.decorators import role_required
from openipt.core.downloads import content_disposition
from openipt.core.security import reauth_required

PAGE_SIZE = 50
admin_required = role_required("admin")


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@admin_required
@require_GET
def trail(request: HttpRequest) -> HttpResponse:
    """Search who read which record, when, and in which role."""
    form = AuditSearchForm(request.GET or None)
    try:
        services.chain_pending()  # the trail shows every read, the latest ones included
    except ChainError as exc:  # the trail was changed outside OpenIPT: say so, show the rest
        messages.error(request, str(exc))
    events = form.filter(AccessEvent.objects.order_by("-seq"))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    return render(request, "audit/trail.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


@admin_required
@require_GET
@reauth_required
def export(request: HttpRequest) -> HttpResponse:
    """Download the events matching the search as CSV; the export is itself recorded."""
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/trail.html", {"form": form, "page": None}, status=400)
    events = form.filter(AccessEvent.objects.order_by("seq"))
    services.record_access(
        request.user,
        AccessEvent.Action.EXPORT,
        "audit_trail",
        {},
        path=request.path,
        method="GET",
        status=200,
        request_id=getattr(request, "request_id", None),
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        _csv_lines(services.csv_rows(events)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition(f"openipt-audit-{stamp}.csv")
    return response  # type: ignore[return-value]  # streamed: the trail may be long


@admin_required
@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    """List writes from django-auditlog: who changed which field of which record."""
    form = ChangeSearchForm(request.GET or None)
    entries: Any = form.filter(
        LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    return render(request, "audit/changes.html", context)
