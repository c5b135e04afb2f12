"""Ticks chosen without matplotlib match the ones matplotlib chose for the same axis."""

from __future__ import annotations

import datetime

import matplotlib.dates as mdates
import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from openipt.charts import style, ticks

START = datetime.date(2025, 3, 3)


def matplotlib_date_ticks(
    first: datetime.date, last: datetime.date
) -> list[tuple[datetime.date, str]]:
    ax = Figure().add_subplot()
    style.use_date_axis(ax, first, last)
    low, high = ax.get_xlim()
    values = [v for v in ax.xaxis.get_major_locator()() if low <= v <= high]
    label = ax.xaxis.get_major_formatter()
    return [(mdates.num2date(v).date(), label(v)) for v in values]


@pytest.mark.parametrize(
    "days", [6, 9, 14, 20, 25, 31, 45, 70, 88, 95, 120, 200, 299, 301, 500, 900, 1200, 2500]
)
def test_it_picks_the_dates_matplotlib_picked(days: int) -> None:
    for shift in (0, 11, 17):
        first = START + datetime.timedelta(days=shift)
        last = first + datetime.timedelta(days=days)
        assert ticks.date_ticks(first, last) == matplotlib_date_ticks(first, last)


def test_it_labels_day_and_month_or_month_and_year() -> None:
    assert ticks.date_ticks(datetime.date(2025, 2, 25), datetime.date(2025, 3, 20)) == [
        (datetime.date(2025, 3, 1), "1 Mar"),
        (datetime.date(2025, 3, 8), "8 Mar"),
        (datetime.date(2025, 3, 15), "15 Mar"),
    ]
    # A year is 12 months: every third month keeps it to at most six ticks.
    year = ticks.date_ticks(START, START.replace(year=2026))
    assert [label for _, label in year] == ["Apr 2025", "Jul 2025", "Oct 2025", "Jan 2026"]


@pytest.mark.parametrize(
    ("low", "high", "bins"),
    [(0, y, 6) for y in (1, 2, 3, 6, 10, 13, 18, 21, 25, 27, 40, 63, 100, 130)]
    + [(a - 0.5, b + 0.5, 12) for a, b in ((0, 4), (1, 5), (1, 12), (0, 14), (1, 20), (3, 40))],
)
def test_it_picks_the_integers_matplotlib_picked(low: float, high: float, bins: int) -> None:
    expected = MaxNLocator(nbins=bins, integer=True).tick_values(low, high)
    shown = [round(v) for v in expected if low <= v <= high]
    assert ticks.integer_ticks(low, high, bins) == shown
