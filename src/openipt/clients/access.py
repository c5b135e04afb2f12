"""Fetch a client for a user and check access in one step, so no view forgets it."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from openipt import policy
from openipt.clients.models import Client


def get_client_for_user(
    request: HttpRequest, client_id: int, *, write: bool = False, include_erased: bool = False
) -> Client:
    """Return the client, 404 for anyone without a need, 403 for read-only viewers writing."""
    user = request.user
    visible = Client.objects.visible_to(user, include_erased=include_erased)
    try:
        client = visible.select_related("primary_therapist").get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client") from None
    if write:
        policy.check_write_client(user, client)
    return client
