"""Portal pieces shown on the therapist's pages: the client's daily log and portal access."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.portal import services
from openipt.portal.charts import mood_table_and_chart, panel_title
from openipt.portal.links import portal_status
from openipt.portal.models import ClientTask

register = template.Library()


@register.simple_tag
def mood_panel(course: Course) -> SafeString:
    """Return the course's daily log (table and chart slot) and the client's ticked-off tasks."""
    entries = services.recent_mood(course)
    panel = mood_table_and_chart(entries, title=panel_title(), chart=False)
    tasks = list(
        ClientTask.objects.filter(course=course)
        .select_related("session")
        .order_by("-session__date", "-session_id", "position")[:10]
    )
    return render_to_string(
        "portal/_mood_panel.html", {"course": course, "panel": panel, "tasks": tasks}
    )


@register.simple_tag
def portal_access(client: Client) -> dict[str, Any]:
    """Return the client's portal account and pending invitation, for the client page."""
    return portal_status(client)
