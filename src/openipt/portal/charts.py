"""The daily log as a chart and a table, for the client's page and the therapist's panel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from openipt.charts import MoodEntry as MoodPoint
from openipt.charts import mood_chart
from openipt.portal.models import MoodEntry


@dataclass(frozen=True)
class MoodPanel:
    """A chart of the entries and the same entries as table rows (newest first)."""

    chart: SafeString
    rows: list[MoodEntry]


def mood_table_and_chart(entries: Sequence[MoodEntry], *, title: str) -> MoodPanel:
    """Return the SVG chart (kept by the charts package) and the rows of the table beside it."""
    points = [MoodPoint(date=e.date, mood=e.mood, contacts=e.contacts) for e in entries]
    chart = mark_safe(mood_chart(points, title=title))  # noqa: S308 - our own SVG; its text is escaped by ElementTree
    return MoodPanel(chart=chart, rows=sorted(entries, key=lambda e: e.date, reverse=True))
