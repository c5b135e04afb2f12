"""Fetch a client or a course for the privacy pages and check access in one step."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from openipt.clients.access import get_client_for_user
from openipt.clients.models import Client
from openipt.courses.access import get_course_for_user
from openipt.courses.models import Course
from openipt.privacy.models import Erasure


def _refuse_clients(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in ("therapist", "supervisor"):
        raise PermissionDenied("Privacy records are for the client's clinicians.")


def is_erased(client: Client) -> bool:
    return Erasure.objects.filter(client=client).exists()


def get_privacy_client(
    request: HttpRequest, client_id: int, *, write: bool = False, allow_erased: bool = False
) -> Client:
    """Return the client for a clinician with a need; an erased record is gone (404)."""
    _refuse_clients(request)
    client = get_client_for_user(request, client_id, write=write)
    if not allow_erased and is_erased(client):
        raise Http404("No such client")
    return client


def get_notes_course(request: HttpRequest, course_id: int, *, write: bool = False) -> Course:
    """Return the course whose psychotherapy notes the user may list (or write)."""
    _refuse_clients(request)
    course = get_course_for_user(request, course_id, write=write)
    if is_erased(course.client):
        raise Http404("No such course")
    return course
