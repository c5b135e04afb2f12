"""Supervisor pages: the supervision dashboard, its lists, and the service outcomes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openipt.core.decorators import role_required
from openipt.core.errors import summary_of
from openipt.insights import display, services, supervision
from openipt.insights.forms import OutcomeFilterForm

PAGE_SIZE = 25
PREVIEW = 5

supervisor_required = role_required("supervisor")


@supervisor_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show what needs attention across the supervisor's therapists, most pressing first."""
    board = services.supervision_dashboard(request.user, preview=PREVIEW)
    sections = [
        {
            "kind": kind,
            "title": supervision.LIST_TITLES[kind],
            "count": board.totals[supervision.TOTAL_OF[kind]],
            "rows": board.previews[kind],
        }
        for kind in supervision.LIST_KINDS
    ]
    context = {"board": board, "sections": sections, "preview": PREVIEW}
    return render(request, "insights/dashboard.html", context)


@supervisor_required
@require_GET
def course_list(request: HttpRequest, kind: str) -> HttpResponse:
    """Show one dashboard list in full, paginated."""
    if kind not in supervision.LIST_KINDS:
        raise Http404("No such list")
    rows = services.supervision_list(request.user, kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"kind": kind, "title": supervision.LIST_TITLES[kind], "page": page}
    return render(request, "insights/list.html", context)


@supervisor_required
@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    """Show the service outcome report with its filters, charts, tables and exports."""
    form = OutcomeFilterForm(request.user, request.GET)
    context: dict = {"form": form}
    if form.is_valid():
        try:
            report = services.outcome_report(request.user, form.filters(), form.chosen_scope)
        except ValidationError as error:
            _to_form(form, error)
        else:
            context.update(
                report=report,
                table=display.table(report),
                charts=display.charts(report),
                query=request.GET.urlencode(),
            )
    return render(request, "insights/outcomes.html", context)


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
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _to_form(form: OutcomeFilterForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
