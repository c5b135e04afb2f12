"""Fetch a client or a course for the privacy pages and check access in one step."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from openipt import policy
from openipt.clients.access import get_client_for_user
from openipt.clients.models import Client
from openipt.courses.access import get_course_for_user
from openipt.courses.models import Course


def _refuse_clients(request: HttpRequest) -> None:
    if not policy.is_clinician(request.user):
        raise PermissionDenied("Privacy records are for the client's clinicians.")


def get_privacy_client(
    request: HttpRequest, client_id: int, *, write: bool = False, allow_erased: bool = False
) -> Client:
    """Return the client for a clinician with a need; an erased record is gone (404)."""
    _refuse_clients(request)
    return get_client_for_user(request, client_id, write=write, include_erased=allow_erased)


def get_notes_course(request: HttpRequest, course_id: int, *, write: bool = False) -> Course:
    """Return the course whose psychotherapy notes the user may list (or write)."""
    _refuse_clients(request)
    return get_course_for_user(request, course_id, write=write)  # erased clients are hidden
