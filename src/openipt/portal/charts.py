"""The daily log as a chart and a table, for the client's page and the therapist's panel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from openipt.charts import MoodEntry as MoodPoint
from openipt.charts import mood_chart
from openipt.portal.models import MoodEntry


@dataclass(frozen=True)
class MoodPanel:
    """A chart of the entries and the same entries as table rows (newest first)."""

    chart: SafeString
    rows: list[MoodEntry]


def mood_table_and_chart(
    entries: Sequence[MoodEntry], *, title: str, chart: bool = True
) -> MoodPanel:
    """Return the SVG chart (kept by the charts package) and the rows of the table beside it.

    `chart=False` leaves the chart empty, for a page that fetches it afterwards.
    """
    svg = mark_safe(entries_chart(entries, title) if chart else "")  # noqa: S308 - our own SVG; its text is escaped by ElementTree
    return MoodPanel(chart=svg, rows=sorted(entries, key=lambda e: e.date, reverse=True))


def entries_chart(entries: Sequence[MoodEntry], title: str) -> str:
    """Return the entries' mood chart as SVG."""
    points = [MoodPoint(date=e.date, mood=e.mood, contacts=e.contacts) for e in entries]
    return mood_chart(points, title=title)


def panel_title() -> str:
    """Return the title of the daily log chart on the therapist's course page."""
    return _("Daily log: mood and contacts")
