"""The daily log chart of the therapist's course page, fetched after the page is shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from openipt.core import kept
from openipt.core.decorators import clinician_required
from openipt.core.kept_http import kept_fragment
from openipt.courses.access import get_course_for_user
from openipt.portal import services
from openipt.portal.charts import entries_chart, panel_title


@clinician_required
@require_GET
def course_mood_chart(request: HttpRequest, course_id: int) -> HttpResponse:
    """Return the chart of the client's last four weeks of the daily log, or a note."""
    course = get_course_for_user(request, course_id)

    def draw() -> str:
        entries = services.recent_mood(course)
        svg = mark_safe(entries_chart(entries, panel_title())) if entries else None  # noqa: S308 - our own SVG; its text is escaped by ElementTree
        context = {"svg": svg, "empty": _("No entries in the last four weeks.")}
        return render_to_string("charts/_fragment.html", context, request)

    scope = kept.course_scope(course.pk)
    return kept_fragment(request, "mood-chart", [scope], (course.pk,), draw)
