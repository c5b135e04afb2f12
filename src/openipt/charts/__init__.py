"""Deterministic, accessible SVG charts for pages and PDFs; pure Python, no Django.

Every function returns an SVG string with ``role="img"``, a ``<title>`` and a ``<desc>``
that states the data in words, ``width="100%"`` with a viewBox so it scales to the
container, and no inline CSS, so it can be inlined under a strict Content-Security-Policy.
The same input always gives the same bytes. Pages must still show the data as a table.
"""

from __future__ import annotations

from openipt.charts.circle import closeness_circle
from openipt.charts.mood import mood_chart
from openipt.charts.score import score_chart
from openipt.charts.timeline import timeline
from openipt.charts.types import (
    Band,
    CirclePerson,
    EventMark,
    MoodEntry,
    ScorePoint,
    TimelineEvent,
)

__all__ = [
    "Band",
    "CirclePerson",
    "EventMark",
    "MoodEntry",
    "ScorePoint",
    "TimelineEvent",
    "closeness_circle",
    "mood_chart",
    "score_chart",
    "timeline",
]
