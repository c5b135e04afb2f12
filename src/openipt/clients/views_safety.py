"""The safety plan pages: the plan in use with its versions, the form, an old version, a PDF."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openipt import policy
from openipt.clients import safety
from openipt.clients.access import get_client_for_user
from openipt.clients.forms import SafetyPlanForm
from openipt.clients.models import Client, SafetyPlan
from openipt.core.decorators import clinician_required
from openipt.core.downloads import content_disposition
from openipt.core.errors import apply_errors


@clinician_required
@require_http_methods(["GET", "POST"])
def safety_plan(request: HttpRequest, client_id: int) -> HttpResponse:
    """Show the plan in use and its versions; its therapist saves a new version here."""
    client = get_client_for_user(request, client_id, write=request.method == "POST")
    current = safety.current_plan(client)
    form = SafetyPlanForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = safety.save_plan(request.user, client, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Safety plan saved as version {plan.version}.")
            return redirect("clients:safety_plan", client.pk)
    context = {
        "client": client,
        "plan": current,
        "form": form,
        "can_edit": policy.may_write_client(request.user, client),
        "versions": client.safety_plans.select_related("made_by").order_by("-version"),
        "editing": request.method == "POST" or current is None or "edit" in request.GET,
    }
    return render(request, "clients/safety_plan.html", context)


@clinician_required
def safety_plan_version(request: HttpRequest, client_id: int, safetyplan_id: int) -> HttpResponse:
    """Show one earlier version exactly as it was saved."""
    client = get_client_for_user(request, client_id)
    plan = _version(client, safetyplan_id)
    return render(request, "clients/safety_plan_version.html", {"client": client, "plan": plan})


@clinician_required
def safety_plan_pdf(request: HttpRequest, client_id: int) -> HttpResponse:
    """Return the plan in use as a PDF to print and give to the client."""
    client = get_client_for_user(request, client_id)
    plan = safety.current_plan(client)
    if plan is None:
        raise Http404("No safety plan yet")
    response = HttpResponse(render_plan_pdf(plan, request), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"safety-plan-{client.pk}.pdf")
    return response


def render_plan_pdf(plan: SafetyPlan, request: HttpRequest | None = None) -> bytes:
    """Return the plan as PDF bytes, drawn by WeasyPrint from its print template."""
    from weasyprint import HTML

    context = {
        "plan": plan,
        "client": plan.client,
        "service_name": settings.OPENIPT_SERVICE_NAME,
        "crisis_text": settings.OPENIPT_CRISIS_TEXT,
        "crisis_contacts": settings.OPENIPT_CRISIS_CONTACTS,
        "printed_on": timezone.localdate(),
    }
    html = render_to_string("clients/safety_plan_print.html", context, request=request)
    return HTML(string=html).write_pdf()


def _version(client: Client, plan_id: int) -> SafetyPlan:
    try:
        return client.safety_plans.select_related("made_by").get(pk=plan_id)
    except (SafetyPlan.DoesNotExist, ValueError, TypeError):
        raise Http404("No such version") from None
