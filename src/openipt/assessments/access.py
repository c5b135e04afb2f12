"""Fetch an alert or an administration for a user and check access in one step."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from openipt import policy
from openipt.assessments.models import Administration, Alert
from openipt.courses.models import Course


def get_alert_for_user(request: HttpRequest, alert_id: int, *, write: bool = False) -> Alert:
    """Return the alert, 404 for anyone without a need, 403 for read-only viewers writing."""
    try:
        alert = (
            Alert.objects.visible_to(request.user)
            .select_related("course__client", "course__therapist", "administration", "resolved_by")
            .get(pk=alert_id)
        )
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such alert") from None
    if write:
        policy.check_act_on_alert(request.user, alert)
    return alert


def get_administration(course: Course, administration_id: int) -> Administration:
    """Return one of the course's administrations (the course is already access-checked)."""
    try:
        return (
            Administration.objects.select_related("session", "entered_by")
            .prefetch_related("item_answers", "alerts")
            .get(pk=administration_id, course=course)
        )
    except (Administration.DoesNotExist, ValueError, TypeError):
        raise Http404("No such questionnaire") from None
