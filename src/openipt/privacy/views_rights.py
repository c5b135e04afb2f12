"""Export and erase a client's record: the therapist signs in again before either."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openipt.assessments.models import Alert
from openipt.clients.models import Client
from openipt.core.decorators import therapist_required
from openipt.core.downloads import content_disposition
from openipt.core.errors import apply_errors
from openipt.core.security import reauth_required
from openipt.privacy import erasure
from openipt.privacy.access import get_privacy_client
from openipt.privacy.exports import export_file
from openipt.privacy.forms import EraseForm, ExportForm
from openipt.privacy.records import disclosed_note_ids


@therapist_required
@require_http_methods(["GET", "POST"])
def export_client(request: HttpRequest, client_id: int) -> HttpResponse:
    """Check access first (outsiders get 404), then ask for re-authentication."""
    client = get_privacy_client(request, client_id, write=True)
    return _export(request, client)


@reauth_required
def _export(request: HttpRequest, client: Client) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = export_file(
                client,
                form.cleaned_data["format"],
                include_notes=form.cleaned_data["include_psychotherapy_notes"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # The audit middleware records this download as an export of the client.
            response = HttpResponse(made.content, content_type=made.content_type)
            response["Content-Disposition"] = content_disposition(made.filename)
            response["Cache-Control"] = "no-store"
            return response
    context = {
        "client": client,
        "form": form,
        "has_disclosure": bool(disclosed_note_ids(client.pk)),
    }
    return render(request, "privacy/export.html", context)


@therapist_required
@require_http_methods(["GET", "POST"])
def erase_client(request: HttpRequest, client_id: int) -> HttpResponse:
    """Check access first (outsiders get 404), then ask for re-authentication."""
    client = get_privacy_client(request, client_id, write=True)
    return _erase(request, client)


@reauth_required
def _erase(request: HttpRequest, client: Client) -> HttpResponse:
    form = EraseForm(request.POST or None, expected=client.record_number)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.erase_client(request.user, client, form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The record of {client.name} is erased.")
            return redirect("privacy:client", client.pk)
    open_alerts = Alert.objects.open().filter(course__client=client).count()
    context = {"client": client, "form": form, "open_alerts": open_alerts}
    return render(request, "privacy/erase.html", context)


@therapist_required
@require_POST
def cancel_erasure(request: HttpRequest, client_id: int) -> HttpResponse:
    """Bring back an erased record before it is purged."""
    client = get_privacy_client(request, client_id, write=True, allow_erased=True)
    try:
        erasure.cancel_erasure(request.user, client)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The record of {client.name} is restored.")
    return redirect("privacy:client", client.pk)
