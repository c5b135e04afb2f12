"""Client record pages: the list, one record, and the create and edit forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openipt import policy
from openipt.clients import services
from openipt.clients.access import get_client_for_user
from openipt.clients.forms import ClientForm, ClientSearchForm
from openipt.clients.models import Client
from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors

PAGE_SIZE = 25


@clinician_required
def client_list(request: HttpRequest) -> HttpResponse:
    """List the clients the user may see, searchable and paginated."""
    search = ClientSearchForm(request.GET or None)
    clients = Client.objects.visible_to(request.user).select_related("primary_therapist")
    if search.is_valid():
        clients = clients.search(search.cleaned_data["q"])
    page = Paginator(clients.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "clients/_rows.html" if getattr(request, "htmx", False) else "clients/list.html"
    return render(request, template, {"page": page, "search": search})


@therapist_required
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.create_client(request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Client {client.name} added.")
            return redirect(client)
    return render(request, "clients/form.html", {"form": form, "creating": True})


@clinician_required
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    can_edit = policy.may_write_client(request.user, client)
    return render(request, "clients/detail.html", {"client": client, "can_edit": can_edit})


@therapist_required
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, write=True)
    form = ClientForm(request.POST or None, instance=Client.objects.get(pk=client.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_client(request.user, client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect(client)
    return render(request, "clients/form.html", {"form": form, "client": client})
