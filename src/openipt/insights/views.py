"""Supervisor pages: the supervision dashboard, its lists, and the service outcomes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from openipt.core.decorators import role_required
from openipt.core.downloads import content_disposition
from openipt.core.errors import summary_of
from openipt.insights import display, services, supervision
from openipt.insights.forms import OutcomeFilterForm

PAGE_SIZE = 25
PREVIEW = 5
# Kept rendered pages (docs/architecture.md, "What is kept"), and the placeholder of the
# dashboard's alert rows, which are rendered on every request.
KEPT_PAGE = "supervision-page"
KEPT_REPORT_PAGE = "outcome-page"
ALERT_ROWS = "__openipt_alert_rows__"
ALERTS_TITLE = supervision.LIST_TITLES["alerts"]

supervisor_required = role_required("supervisor")


@supervisor_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show what needs attention across the supervisor's therapists, most pressing first.

    The page's body is kept with its figures (`services.kept_dashboard`) and made again
    only when one of the therapists' records changes; the open alerts' rows, which say how
    long each alert has been open, are rendered into it on every request.
    """
    page = services.kept_dashboard(
        request.user, KEPT_PAGE, PREVIEW, lambda board: _dashboard_body(request, board)
    )
    rows = ""
    if page["alerts"]:
        context = {"kind": "alerts", "rows": page["alerts"], "title": ALERTS_TITLE}
        rows = render_to_string("insights/_rows.html", context, request)
    body = page["body"].replace(ALERT_ROWS, rows)
    body = mark_safe(body)  # noqa: S308 - our templates' output, escaped there
    return render(request, "insights/dashboard.html", {"body": body})


def _dashboard_body(request: HttpRequest, board: supervision.Dashboard) -> dict[str, Any]:
    """Return the page's body with a placeholder for the alerts' rows, and those alerts."""
    sections = [
        {
            "kind": kind,
            "title": supervision.LIST_TITLES[kind],
            "count": board.totals[supervision.TOTAL_OF[kind]],
            "rows": board.previews[kind],
        }
        for kind in supervision.LIST_KINDS
    ]
    context = {"board": board, "sections": sections, "preview": PREVIEW, "alert_rows": ALERT_ROWS}
    return {
        "body": render_to_string("insights/_dashboard_body.html", context, request),
        "alerts": board.previews["alerts"],
    }


@supervisor_required
@require_GET
def course_list(request: HttpRequest, kind: str) -> HttpResponse:
    """Show one dashboard list in full, paginated."""
    if kind not in supervision.LIST_KINDS:
        raise Http404("No such list")
    rows = services.supervision_list(request.user, kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "kind": kind,
        "title": supervision.LIST_TITLES[kind],
        "page": page,
        "rows": supervision.plain_rows(kind, page),
    }
    return render(request, "insights/list.html", context)


@supervisor_required
@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    """Show the service outcome report with its filters, charts, tables and exports.

    The tables and charts are kept with the report (`services.kept_report`): an unchanged
    report costs the permission checks, the filter form and a cache read.
    """
    form = OutcomeFilterForm(request.user, request.GET)
    context: dict = {"form": form}
    if form.is_valid():
        try:
            page = services.kept_report(
                request.user,
                form.filters(),
                form.chosen_scope,
                KEPT_REPORT_PAGE,
                lambda report: _report_body(request, report),
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            body = mark_safe(page["body"])  # noqa: S308 - our template's output, escaped there
            context.update(report=page["report"], body=body, query=request.GET.urlencode())
    return render(request, "insights/outcomes.html", context)


def _report_body(request: HttpRequest, report: dict[str, Any]) -> dict[str, Any]:
    """Return the report's tables and charts as HTML, and what the page's head says of it."""
    context = {"report": report, "table": display.table(report), "charts": display.charts(report)}
    head = {"scope": report["scope"], "filters": report["filters"]}
    return {
        "body": render_to_string("insights/_outcomes_body.html", context, request),
        "report": head,
    }


@supervisor_required
@require_GET
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """Send the report as CSV or Parquet; the permission checks run again for the file."""
    form = OutcomeFilterForm(request.user, request.GET)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())  # type: ignore[arg-type]
        content, media_type, name = services.outcome_export(
            request.user, form.filters(), form.chosen_scope, kind
        )
    except ValidationError as error:
        return HttpResponse(summary_of(error), status=400, content_type="text/plain")
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "no-store"
    return response


def _to_form(form: OutcomeFilterForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
