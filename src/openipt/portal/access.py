"""Fetch the signed-in client's own objects; anything else is a 404, never another's data."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from openipt import policy
from openipt.assessments.models import Administration
from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.portal.models import ClientTask, PortalDraft


def portal_client(request: HttpRequest) -> Client:
    """Return the client record of the signed-in portal user."""
    user = request.user
    own = policy.visible_clients(user, Client.objects.all()) if policy.is_client(user) else None
    client = own.first() if own is not None else None
    if client is None:
        raise Http404("No client record for this account")
    return client


def get_task_for_client(request: HttpRequest, task_id: int) -> ClientTask:
    tasks = ClientTask.objects.select_related("course__client")
    try:
        return policy.own_portal_records(request.user, tasks).get(pk=task_id)
    except (ClientTask.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task") from None


def get_draft_for_client(request: HttpRequest, course: Course | None, code: str) -> PortalDraft:
    drafts = PortalDraft.objects.select_related("course__client")
    draft = (
        policy.own_portal_records(request.user, drafts)
        .filter(course=course, instrument=code)
        .first()
        if course is not None
        else None
    )
    if draft is None:
        raise Http404("No questionnaire in progress")
    return draft


def get_administration_for_client(request: HttpRequest, administration_id: int) -> Administration:
    try:
        answered = Administration.objects.select_related("course").filter(
            completed_by=Administration.CompletedBy.CLIENT
        )
        return policy.own_portal_records(request.user, answered).get(pk=administration_id)
    except (Administration.DoesNotExist, ValueError, TypeError):
        raise Http404("No such questionnaire") from None
