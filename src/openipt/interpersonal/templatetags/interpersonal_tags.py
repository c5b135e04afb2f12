"""Course-page and letter sections of the interpersonal area, and a course link helper."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from openipt.courses.models import Course
from openipt.interpersonal.drawing import (
    circle_rows,
    circle_svg,
    snapshot_changes,
)
from openipt.interpersonal.models import Formulation, InventorySnapshot
from openipt.interpersonal.support import course_facts, suggestions_for

register = template.Library()


@register.simple_tag
def course_url(course: Course) -> str:
    """Return the course page, or the client's page while the course page is not there."""
    try:
        return reverse("courses:detail", args=[course.pk])
    except NoReverseMatch:
        return reverse("clients:detail", args=[course.client_id])


@register.simple_tag
def inventory_panel(course: Course) -> SafeString:
    """Return the course page's summary of the inventory and suggestions, with chart slots."""
    people, events = course_facts(course)
    rings = [sum(1 for p in people if p.ring == ring) for ring in (1, 2, 3, 4)]
    context: dict[str, Any] = {
        "course": course,
        "people": people,
        "events": events,
        "rings": rings,
        "suggestions": suggestions_for(course, people, events)[:2],
        "formulation": Formulation.objects.filter(course=course).first(),
    }
    return SafeString(render_to_string("interpersonal/_panel.html", context))


def _half_width(svg: str) -> str:
    """Size an SVG to half the line so two sit side by side, even in the PDF without CSS."""
    return re.sub(r'width="100%"', 'width="48%"', svg, count=1)


@register.simple_tag
def inventory_letter(course: Course) -> SafeString:
    """Return the letter's closeness circles: intake beside termination, with tables."""
    snapshots = {s.kind: s for s in InventorySnapshot.objects.filter(course=course)}
    intake = snapshots.get(InventorySnapshot.Kind.INTAKE)
    ending = snapshots.get(InventorySnapshot.Kind.TERMINATION)
    people, _ = course_facts(course)
    if intake is None and ending is None and not people:
        return SafeString("")
    later_rows = ending.people if ending else circle_rows(people)
    later_title = "At termination" if ending else "At the end (current inventory)"
    context: dict[str, Any] = {
        "course": course,
        "intake": intake,
        "ending": ending,
        "later_rows": later_rows,
        "later_title": later_title,
        "later_svg": _half_width(circle_svg(course, later_rows, later_title)),
        "formulation": Formulation.objects.filter(course=course).first(),
    }
    if intake is not None:
        context["intake_svg"] = _half_width(circle_svg(course, intake.people, "At intake"))
        context["changes"] = snapshot_changes(intake.people, later_rows)
    return SafeString(render_to_string("interpersonal/_letter.html", context))
