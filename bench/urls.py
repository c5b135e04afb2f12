"""The product's URL map plus one bare view: the framework's ceiling on this machine.

The bare view runs one indexed query (a course by primary key) and returns plain text; it
goes through the same middleware as every page, so the gap between it and a page is the
cost of the page's own work.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from openipt.courses.models import Course
from openipt.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    """Return one course's status, looked up by primary key."""
    try:
        pk = int(request.GET.get("id", "1"))
    except ValueError:
        pk = 1
    status = Course.objects.filter(pk=pk).values_list("status", flat=True).first()
    return HttpResponse(status or "none", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *urlpatterns]
