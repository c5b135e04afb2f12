"""Fetch the signed-in client's own objects; anything else is a 404, never another's data."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from openipt.assessments.models import Administration
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.portal.models import ClientTask, PortalDraft


def _user_id(request: HttpRequest) -> int:
    pk = request.user.pk
    if pk is None:
        raise Http404("Not signed in")
    return int(pk)


def portal_client(request: HttpRequest) -> Client:
    """Return the client record of the signed-in portal user."""
    user = request.user
    client = (
        Client.objects.filter(user_id=_user_id(request), user__is_active=True).first()
        if getattr(user, "role", None) == "client"
        else None
    )
    if client is None:
        raise Http404("No client record for this account")
    return client


def get_task_for_client(request: HttpRequest, task_id: int) -> ClientTask:
    try:
        return ClientTask.objects.select_related("course__client").get(
            pk=task_id, course__client__user_id=_user_id(request)
        )
    except (ClientTask.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task") from None


def get_draft_for_client(request: HttpRequest, course: Course | None, code: str) -> PortalDraft:
    draft = (
        PortalDraft.objects.select_related("course__client")
        .filter(course=course, instrument=code, course__client__user_id=_user_id(request))
        .first()
        if course is not None
        else None
    )
    if draft is None:
        raise Http404("No questionnaire in progress")
    return draft


def get_administration_for_client(request: HttpRequest, administration_id: int) -> Administration:
    try:
        return Administration.objects.select_related("course").get(
            pk=administration_id,
            course__client__user_id=_user_id(request),
            completed_by=Administration.CompletedBy.CLIENT,
        )
    except (Administration.DoesNotExist, ValueError, TypeError):
        raise Http404("No such questionnaire") from None
