"""Privacy pages of a client: overview, consent records and disclosures."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openipt import policy
from openipt.accounts.models import User
from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors
from openipt.privacy import services
from openipt.privacy.access import get_privacy_client
from openipt.privacy.forms import ConsentForm, DisclosureForm
from openipt.privacy.models import Consent, Erasure, PsychotherapyNote

PAGE_SIZE = 20
COURSES_SHOWN = 10


@clinician_required
def client_privacy(request: HttpRequest, client_id: int) -> HttpResponse:
    """Show consents in force, disclosures and erasure status, with the rights actions."""
    client = get_privacy_client(request, client_id, allow_erased=True)
    erasure = Erasure.objects.filter(client=client).first()
    context = {
        "client": client,
        "can_edit": policy.may_write_client(request.user, client),
        "erasure": erasure,
        "retention_days": settings.OPENIPT_RETENTION_DAYS,
        "current": sorted(services.current_consents(client).values(), key=lambda c: c.topic),
        "consent_count": client.consents.count(),
        "disclosure_count": client.disclosures.count(),
        "courses": client.courses.order_by("-started_on", "-id")[:COURSES_SHOWN],
    }
    if erasure:
        context["purge_after"] = erasure.erased_at + timedelta(days=settings.OPENIPT_RETENTION_DAYS)
    return render(request, "privacy/client.html", context)


@clinician_required
def consent_list(request: HttpRequest, client_id: int) -> HttpResponse:
    """List every consent decision recorded for the client, newest first."""
    client = get_privacy_client(request, client_id)
    rows = client.consents.select_related("recorded_by").order_by("-given_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_edit = policy.may_write_client(request.user, client)
    return render(
        request, "privacy/consents.html", {"client": client, "page": page, "can_edit": can_edit}
    )


@therapist_required
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_privacy_client(request, client_id, write=True)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_consent(request.user, client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("privacy:consents", client.pk)
    return render(request, "privacy/consent_form.html", {"client": client, "form": form})


@therapist_required
@require_POST
def consent_withdraw(request: HttpRequest, client_id: int, consent_id: int) -> HttpResponse:
    client = get_privacy_client(request, client_id, write=True)
    consent = get_object_or_404(Consent, pk=consent_id, client=client)
    try:
        services.withdraw_consent(request.user, consent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Consent to {consent.get_topic_display().lower()} withdrawn.")
    return redirect("privacy:consents", client.pk)


@clinician_required
def disclosure_list(request: HttpRequest, client_id: int) -> HttpResponse:
    """List the recorded authorisations to disclose psychotherapy notes."""
    client = get_privacy_client(request, client_id)
    rows = (
        client.disclosures.select_related("recorded_by", "recipient_user")
        .prefetch_related("notes")
        .order_by("-authorised_on", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_edit = policy.may_write_client(request.user, client)
    return render(
        request, "privacy/disclosures.html", {"client": client, "page": page, "can_edit": can_edit}
    )


@therapist_required
@require_http_methods(["GET", "POST"])
def disclosure_add(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record the client's authorisation to disclose some of the therapist's notes."""
    client = get_privacy_client(request, client_id, write=True)
    user = request.user
    assert isinstance(user, User)  # therapist_required let only a signed-in therapist in
    notes = PsychotherapyNote.objects.filter(course__client=client, author=user)
    colleagues = User.objects.filter(pk=user.supervisor_id)
    form = DisclosureForm(
        request.POST or None, notes=notes.select_related("course"), colleagues=colleagues
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_disclosure(request.user, client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Disclosure recorded.")
            return redirect("privacy:disclosures", client.pk)
    context = {"client": client, "form": form, "has_notes": notes.exists()}
    return render(request, "privacy/disclosure_form.html", context)
