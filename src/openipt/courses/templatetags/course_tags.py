"""Template filters that show protocol codes in words: areas, phases, techniques, sources."""

from __future__ import annotations

from django import template
from django.conf import settings

from openipt.courses.models import Phase
from openipt.protocol.errors import ProtocolError
from openipt.protocol.phases import get_task
from openipt.protocol.problem_areas import area_label as protocol_area_label
from openipt.protocol.problem_areas import dispute_stage
from openipt.protocol.techniques import get_technique

register = template.Library()


@register.filter
def area_label(code: str) -> str:
    """Return the area's name in the service's naming scheme (canonical where it has none)."""
    if not code:
        return ""
    try:
        label = protocol_area_label(code, settings.OPENIPT_PROBLEM_AREA_NAMING)
        return label or protocol_area_label(code, "canonical") or code
    except ProtocolError:
        return code


@register.filter
def stage_label(code: str) -> str:
    try:
        return dispute_stage(code).label if code else ""
    except ProtocolError:
        return code


@register.filter
def phase_label(code: object) -> str:
    try:
        return str(Phase(str(code)).label)
    except ValueError:
        return str(code)


@register.filter
def technique_label(code: str) -> str:
    try:
        return get_technique(code).label
    except ProtocolError:
        return code


@register.filter
def task_label(code: str) -> str:
    try:
        return get_task(code).label
    except ProtocolError:
        return code


# Short names as the formats' own names abbreviate them (content/formats.yaml).
FORMAT_SHORT = {
    "standard": "IPT",
    "brief": "IPT-B",
    "ipc": "IPC",
    "adolescent": "IPT-A",
    "maintenance": "IPT-M",
    "group_who": "Group IPT",
}


@register.filter
def format_short(code: str) -> str:
    return FORMAT_SHORT.get(code, code)


SYSTEM_LABELS = {"icd10": "ICD-10", "icd11": "ICD-11", "snomed": "SNOMED CT"}


@register.filter
def system_label(code: str) -> str:
    return SYSTEM_LABELS.get(code, code)


@register.filter
def active_course(courses):
    """Return the active course among `courses` (evaluates the queryset once), or None."""
    return next((c for c in courses if c.status == "active"), None)
