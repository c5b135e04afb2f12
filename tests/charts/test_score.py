"""The score chart written as SVG directly: where things go, plain text, no matplotlib."""

from __future__ import annotations

import datetime
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from openipt.charts import EventMark, ScorePoint, score_chart
from openipt.charts.score import _session_at
from tests.charts.cases import PHQ9_BANDS, PHQ9_COURSE, week

SVG = "{http://www.w3.org/2000/svg}"

# Worked by hand from style.SCORE_SIZE and the margins: 5 x 3.5 in at 72 pt is 360 x 252;
# the plot runs from x 36 (0.5 in) to 284.4 (1.05 in from the right) and from y 51.84
# (0.62 + 0.1 in) down to the x axis at 216 (0.5 in from the bottom).
AXIS_Y = 216.0
PLOT_TOP = 51.84


def circles(svg: str) -> list[tuple[float, float]]:
    found = ET.fromstring(svg).iter(f"{SVG}circle")
    return [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in found]


def text_elements(svg: str) -> dict[str, ET.Element]:
    return {el.text or "": el for el in ET.fromstring(svg).iter(f"{SVG}text")}


def value_labels(svg: str) -> dict[str, tuple[float, float]]:
    """The totals written over the points: the text in the bold group."""
    bold = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("font-weight") == "700"]
    return {
        el.text or "": (float(el.get("x", "")), float(el.get("y", "")))
        for group in bold
        for el in group.iter(f"{SVG}text")
    }


def test_it_does_not_import_matplotlib() -> None:
    # Stand in for the package's __init__, which imports the matplotlib charts too.
    script = (
        "import pathlib, sys, types, datetime\n"
        "import openipt\n"
        "package = types.ModuleType('openipt.charts')\n"
        "package.__path__ = [str(pathlib.Path(openipt.__file__).parent / 'charts')]\n"
        "sys.modules['openipt.charts'] = package\n"
        "from openipt.charts.score import score_chart\n"
        "from openipt.charts.types import Band, ScorePoint\n"
        "score_chart([ScorePoint(1, datetime.date(2025, 3, 3), 9)], [Band(0, 9, 'Mild')],\n"
        "            title='T', y_max=27, x='date')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'numpy'))\n"
        "assert not loaded, loaded\n"
        "assert not any(m in sys.modules for m in ('openipt.charts.circle',\n"
        "    'openipt.charts.timeline', 'openipt.charts.mood'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_it_puts_zero_on_the_axis_line_and_y_max_at_the_top() -> None:
    series = [ScorePoint(1, week(0), 0), ScorePoint(2, week(1), 27)]
    svg = score_chart(series, PHQ9_BANDS, title="PHQ-9", y_max=27)
    # Sessions 1-2 are widened to 1-5 and padded by half a session: 0.5..5.5 over 248.4 pt,
    # so session 1 is at 36 + 0.5 / 5 * 248.4 and session 2 at 36 + 1.5 / 5 * 248.4.
    assert circles(svg) == [
        pytest.approx((60.84, AXIS_Y), abs=0.01),
        pytest.approx((110.52, PLOT_TOP), abs=0.01),
    ]
    assert 'd="M36 51.84V216H284.4"' in svg, "the y and x axis lines"


def test_it_writes_a_total_above_its_point_and_below_it_near_the_top() -> None:
    series = [ScorePoint(1, week(0), 0), ScorePoint(2, week(1), 27)]
    labels = value_labels(score_chart(series, PHQ9_BANDS, title="PHQ-9", y_max=27))
    # Above: 8 pt from the point to the bottom of the text, which is 0.24 em of 8.5 pt
    # under its baseline. Below (over 90% of y_max): 9 pt down to the top of the text,
    # 0.76 em above its baseline.
    assert labels["0"] == pytest.approx((60.84, AXIS_Y - 8 - 2.04), abs=0.01)
    assert labels["27"] == pytest.approx((110.52, PLOT_TOP + 9 + 6.46), abs=0.01)


def test_it_places_dates_in_proportion() -> None:
    first, last = datetime.date(2025, 3, 1), datetime.date(2025, 5, 10)  # 70 days apart
    series = [ScorePoint(None, first, 10), ScorePoint(None, last, 5)]
    svg = score_chart(series, PHQ9_BANDS, title="PHQ-9", y_max=27, x="date")
    # Padded by 5% (4 days) each side: 78 days over 248.4 pt.
    xs = [x for x, _ in circles(svg)]
    assert xs == [
        pytest.approx(36 + 4 / 78 * 248.4, abs=0.01),
        pytest.approx(36 + 74 / 78 * 248.4, abs=0.01),
    ]
    assert {"1 Mar", "15 Mar", "1 Apr", "15 Apr", "1 May"} <= set(text_elements(svg))


def test_it_writes_labels_as_plain_escaped_text() -> None:
    title = "Cost $5 & <more>"
    event = EventMark(week(0), "Paid $400 & <late> fee", session_number=1.5)
    svg = score_chart(PHQ9_COURSE[:3], PHQ9_BANDS, title=title, y_max=27, events=(event,))
    assert title in text_elements(svg)
    assert any(t.startswith("Paid $400 & <late> fee (") for t in text_elements(svg))
    assert "Paid $400 &amp; &lt;late&gt; fee" in svg
    assert ET.fromstring(svg)[0].text == title


def test_it_numbers_events_on_the_plot_and_names_them_in_full_in_a_key_below() -> None:
    long = "Moved out of the family home after the argument about money"
    events = (EventMark(week(10), "Late", 11.5), EventMark(week(1), long, 1.5))
    svg = score_chart(PHQ9_COURSE, PHQ9_BANDS, title="PHQ-9", y_max=27, events=events)
    found = text_elements(svg)
    # Numbered in course order; the full words only in the key, under the x axis name.
    assert {"1", "2"} <= set(found)
    assert not any("…" in text for text in found)
    axis_name = float(found["Session"].get("y", ""))
    late = [t for t in found if t.startswith("Late (")]
    assert late and float(found[late[0]].get("y", "")) > axis_name
    key_words = " ".join(t for t in found if float(found[t].get("y", "")) > axis_name)
    assert long in key_words
    # No event text is written inside the plot, where the scores are.
    plot_bottom = max(float(c.get("cy", "")) for c in ET.fromstring(svg).iter(f"{SVG}circle"))
    inside = [t for t in found if long.startswith(t) and float(found[t].get("y", "")) < plot_bottom]
    assert inside == []


def test_it_grows_the_chart_only_when_there_are_events() -> None:
    def height(events: tuple[EventMark, ...]) -> float:
        svg = score_chart(PHQ9_COURSE, PHQ9_BANDS, title="PHQ-9", y_max=27, events=events)
        return float(ET.fromstring(svg).get("viewBox", "").split()[3])

    plain = height(())
    one = height((EventMark(week(1), "Early", 1.5),))
    two = height((EventMark(week(1), "Early", 1.5), EventMark(week(3), "Later", 3.5)))
    assert plain < one < two


def test_it_shades_the_worst_band_darkest_whichever_direction_is_better() -> None:
    def fills(higher_is_better: bool) -> list[str]:
        svg = score_chart((), PHQ9_BANDS, title="T", y_max=27, higher_is_better=higher_is_better)
        return [r.get("fill", "") for r in ET.fromstring(svg).iter(f"{SVG}rect")][1:6]

    assert fills(False) == ["#f7f7f7", "#ebebeb", "#dedede", "#d1d1d1", "#c4c4c4"]
    assert fills(True) == list(reversed(fills(False)))


def test_it_leaves_out_value_labels_when_there_are_many_points() -> None:
    series = [ScorePoint(n, week(n), 20 - n) for n in range(1, 18)]
    svg = score_chart(series, PHQ9_BANDS, title="PHQ-9", y_max=27)
    assert value_labels(svg) == {}
    assert value_labels(score_chart(series[:16], PHQ9_BANDS, title="PHQ-9", y_max=27))
    assert {"2", "4", "16"} <= set(text_elements(svg)), "ticks every other session"


@pytest.mark.parametrize("offset", range(-10, 90, 3))
def test_it_places_an_undated_session_as_numpy_interp_did(offset: int) -> None:
    anchors = [(week(0).toordinal(), 1), (week(2).toordinal(), 2), (week(9).toordinal(), 8)]
    day = week(0) + datetime.timedelta(days=offset)
    ordinal = day.toordinal()
    days, sessions = [a[0] for a in anchors], [a[1] for a in anchors]
    if ordinal < days[0]:
        expected = 0.0
    elif ordinal > days[-1]:
        expected = 8.5
    else:
        expected = round(float(np.interp(ordinal, days, sessions)), 2)
    assert _session_at(day, anchors) == expected
