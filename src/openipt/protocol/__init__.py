"""What IPT is: formats, phases, tasks, problem areas, techniques, rules and plans.

A pure package (no Django): content lives in content/*.yaml, every entry with its source
tags from the IPT reference (ipt.md), validated on load. Django apps call these functions and never
re-implement the rules.
"""

from __future__ import annotations

from .errors import ProtocolContentError, ProtocolError
from .formats import (
    Format,
    Frequency,
    Phase,
    PhaseOverrides,
    all_formats,
    get_format,
    phase_for_session,
)
from .loader import load_content
from .plan import Agenda, CourseState, FocusItem, agenda

__all__ = [
    "Agenda",
    "CourseState",
    "FocusItem",
    "Format",
    "Frequency",
    "Phase",
    "PhaseOverrides",
    "ProtocolContentError",
    "ProtocolError",
    "agenda",
    "all_formats",
    "get_format",
    "load_content",
    "phase_for_session",
]
