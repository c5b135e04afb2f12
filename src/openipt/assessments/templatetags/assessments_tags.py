"""Course-page and letter sections of the measures area, as safe HTML."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from openipt.assessments.display import course_measures

register = template.Library()


@register.simple_tag(takes_context=True)
def measures_panel(context: Any, course) -> SafeString:
    """Render the course page's panel: latest scores, open alerts, what is due, a chart slot.

    The chart itself comes after the page (`assessments:panel_chart`), so it is not drawn here.
    """
    measures = course_measures(course, charts=False)
    data = {"m": measures, "course": course, "user": context.get("user")}
    return render_to_string("assessments/_panel.html", data, request=context.get("request"))


@register.simple_tag
def measures_letter(course) -> SafeString:
    """Render the letter's scores: first and last, the change classes and the same charts."""
    return render_to_string("assessments/_letter.html", {"m": course_measures(course)})
