"""Fetch a course for a user and check access in one step, so no view forgets it."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from openipt import policy
from openipt.courses.models import Course


def get_course_for_user(request: HttpRequest, course_id: int, *, write: bool = False) -> Course:
    """Return the course, 404 for anyone without a need, 403 for read-only viewers writing.

    Clients are refused here too: their own view of a course goes through the portal.
    """
    user = request.user
    if policy.is_client(user):
        raise Http404("No such course")
    try:
        course = (
            Course.objects.visible_to(user).select_related("client", "therapist").get(pk=course_id)
        )
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404("No such course") from None
    if write:
        policy.check_write_course(user, course)
    return course
