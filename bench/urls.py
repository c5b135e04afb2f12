"""The product's URL map plus one bare view: the cheapest real clinical read.

The bare view does what every clinical page does before its own work and nothing more: a
signed-in clinician (session cookie), the course fetched through the product's access check,
and, because its URL names a `course_id`, the access audit's hash-chained row. The gap
between it and a page is the cost of the page's own work; its rate alone is the ceiling of
a clinical read on this machine.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from openipt.core.decorators import clinician_required
from openipt.courses.access import get_course_for_user
from openipt.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@clinician_required
def bare(request: HttpRequest, course_id: int) -> HttpResponse:
    """Return the status of a course the signed-in clinician may see, as plain text."""
    course = get_course_for_user(request, course_id)
    return HttpResponse(course.status, content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/bare/<int:course_id>/", bare, name="bench_bare"), *urlpatterns]
