"""Questionnaire totals over a course, on labelled severity bands.

Written as SVG directly rather than through matplotlib: the layout is fixed, and
matplotlib's tick and text layout cost about 40 ms of CPU per drawing against about 1 ms
here. The look (sizes, margins, fonts, colours, ticks) is the one `style` gives the
matplotlib charts, and the output is as deterministic and accessible (`svg.finalise`).
"""

from __future__ import annotations

import bisect
import datetime
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from openipt.charts import style, ticks
from openipt.charts.canvas import ASCENT, DESCENT, MIDDLE, Canvas, font, num, text_width
from openipt.charts.memo import memoized_svg
from openipt.charts.svg import finalise
from openipt.charts.types import Band, EventMark, ScorePoint

MAX_VALUE_LABELS = 16  # beyond this, numbers above every point crowd the line

# Layout in points (72 to the inch), as matplotlib placed the axes for this chart.
WIDTH = style.SCORE_SIZE[0] * 72
HEIGHT = style.SCORE_SIZE[1] * 72
LEFT = 0.5 * 72
RIGHT = WIDTH - 1.05 * 72  # the band labels are written in the margin right of this
TOP = (style.TITLE_BAND + 0.1) * 72
BOTTOM = HEIGHT - 0.5 * 72
TICK = 3.0  # tick length, outwards
TICK_PAD = 3.5  # between a tick and its label
LABEL_PAD = 4.0  # between tick labels and the axis label
BAND_LINE = style.SMALL * 1.1  # baseline to baseline in a band label
EVENT_SIZE = 7.5
EVENT_STRIP = 16.0  # above the plot, for the numbered event markers, when there are events
KEY_LINE = EVENT_SIZE * 1.35  # baseline to baseline in the key of events under the chart
KEY_GAP = 10.0  # between the axis name and the key
KEY_INDENT = 14.0  # from an event's number to its words in the key


@memoized_svg
def score_chart(
    series: Sequence[ScorePoint],
    bands: Sequence[Band],
    *,
    title: str,
    y_max: int,
    higher_is_better: bool = False,
    events: Sequence[EventMark] = (),
    x: Literal["session", "date"] = "session",
) -> str:
    """Render totals over sessions or dates as an accessible SVG string.

    In session mode a score without a session number, or an event without one, is placed
    by its date between the scored sessions around it; before the first scored session it
    sits in a "Before" column at 0. If no score has a session number, scores are numbered
    in date order and undated-by-session events are left to the desc. Bands are inclusive
    integer ranges; the band label is written beside its shading, never colour alone.
    """
    if x not in ("session", "date"):
        raise ValueError(f'x must be "session" or "date", got {x!r}.')
    if y_max <= 0:
        raise ValueError(f"y_max must be positive, got {y_max!r}.")
    points = sorted(series, key=lambda p: (p.date, p.session_number or 0))
    ordered_bands = sorted(bands, key=lambda b: b.lower)
    plot = _Plot.build(points, events, x)
    drawing = _draw(plot, ordered_bands, title, y_max, higher_is_better)
    desc = _describe(points, ordered_bands, events, x, higher_is_better)
    return finalise(drawing, title=title, desc=desc)


@dataclass(frozen=True, slots=True)
class _Plot:
    """Where points and events go on the x axis, worked out once before drawing."""

    mode: str
    xs: list[float]
    totals: list[int]
    marks: list[tuple[float, str, datetime.date]]  # where, label, date; numbered in this order
    days: list[datetime.date]  # every date shown, for the date axis range

    @classmethod
    def build(cls, points: list[ScorePoint], events: Sequence[EventMark], mode: str) -> _Plot:
        totals = [p.total for p in points]
        if mode == "date":
            days = [p.date for p in points] + [e.date for e in events]
            marks = sorted((style.x_of(e.date), e.label, e.date) for e in events)
            return cls(mode, [style.x_of(p.date) for p in points], totals, marks, days)
        anchors = _anchors(points)
        if not anchors:
            # No session numbers at all: number the scores in date order.
            return cls(mode, [float(i + 1) for i in range(len(points))], totals, [], [])
        xs = [
            float(p.session_number)
            if p.session_number is not None
            else _session_at(p.date, anchors)
            for p in points
        ]
        marks = sorted(
            (
                float(e.session_number)
                if e.session_number is not None
                else _session_at(e.date, anchors),
                e.label,
                e.date,
            )
            for e in events
        )
        return cls(mode, xs, totals, marks, [])


def _anchors(points: list[ScorePoint]) -> list[tuple[int, int]]:
    seen: dict[int, int] = {}
    for p in points:
        if p.session_number is not None:
            seen.setdefault(p.date.toordinal(), p.session_number)
    return sorted(seen.items())


def _session_at(day: datetime.date, anchors: list[tuple[int, int]]) -> float:
    """Estimate where a date falls on the session axis from the scored sessions around it."""
    ordinal = day.toordinal()
    first_day, first_session = anchors[0]
    last_day, last_session = anchors[-1]
    if ordinal < first_day:
        return float(max(0, first_session - 1))
    if ordinal > last_day:
        return last_session + 0.5
    days = [a[0] for a in anchors]
    sessions = [a[1] for a in anchors]
    j = bisect.bisect_right(days, ordinal) - 1
    if j >= len(days) - 1:
        return float(sessions[-1])
    # Linear between the two anchors, computed as numpy.interp does, to the same float.
    slope = (sessions[j + 1] - sessions[j]) / (days[j + 1] - days[j])
    return round(slope * (ordinal - days[j]) + sessions[j], 2)


@dataclass(frozen=True, slots=True)
class _Frame:
    """The plot area and its scales: data values to SVG points."""

    x_low: float
    x_high: float
    y_max: int
    top: float = TOP
    bottom: float = BOTTOM

    def x(self, value: float) -> float:
        if self.x_high <= self.x_low:
            return (LEFT + RIGHT) / 2
        return LEFT + (value - self.x_low) / (self.x_high - self.x_low) * (RIGHT - LEFT)

    def y(self, value: float) -> float:
        return self.bottom - value / self.y_max * (self.bottom - self.top)


def _draw(
    plot: _Plot, bands: list[Band], title: str, y_max: int, higher_is_better: bool
) -> ET.Element:
    """Write the chart back to front, as matplotlib's z-order had it."""
    x_low, x_high, x_ticks = _x_axis(plot)
    strip = EVENT_STRIP if plot.marks else 0.0
    frame = _Frame(x_low, x_high, y_max, TOP + strip, BOTTOM + strip)
    key = _key_lines(plot)
    height = HEIGHT + strip + (KEY_GAP + len(key) * KEY_LINE if key else 0.0)
    canvas = Canvas(WIDTH, height)
    canvas.rect(0, 0, WIDTH, height, fill="#ffffff")
    _draw_bands(canvas, frame, bands, higher_is_better)
    _draw_axes(canvas, frame, x_ticks, "Date" if plot.mode == "date" else "Session")
    _draw_event_lines(canvas, frame, plot)
    if plot.totals:
        _draw_series(canvas, frame, plot)
    else:
        _draw_empty(canvas, frame)
    _draw_event_markers(canvas, frame, plot)
    _draw_key(canvas, frame, key)
    better = "Higher" if higher_is_better else "Lower"
    _draw_header(canvas, title, f"Total score 0–{y_max}. {better} is better.")
    return canvas.finish()


def _x_axis(plot: _Plot) -> tuple[float, float, list[tuple[float, str]]]:
    """Return the x range and its labelled ticks: dates, or sessions with "Before" at 0."""
    if plot.mode == "date":
        if not plot.days:
            return 0.0, 1.0, []
        first, last = style.pad_dates(min(plot.days), max(plot.days))
        dated = ticks.date_ticks(first, last)
        return style.x_of(first), style.x_of(last), [(style.x_of(d), t) for d, t in dated]
    numbers = plot.xs + [m[0] for m in plot.marks] or [1.0, 12.0]
    low, high = min(numbers), max(numbers)
    if high - low < 4:
        high = low + 4
    low, high = low - 0.5, high + 0.5
    numbered = ticks.integer_ticks(low, high, 12)
    return low, high, [(float(n), "Before" if n == 0 else str(n)) for n in numbered]


def _draw_header(canvas: Canvas, title: str, subtitle: str) -> None:
    """Write the title top-left, as a heading would be in print, and the note under it."""
    margin = 0.1 * 72
    size = style.TITLE_SIZE
    canvas.text(margin, margin + ASCENT * size, title, fill=style.INK, **font(size, weight="700"))
    top = 0.36 * 72 + ASCENT * style.SMALL
    canvas.text(margin, top, subtitle, fill=style.MUTED, **font(style.SMALL))


def _draw_bands(canvas: Canvas, frame: _Frame, bands: list[Band], higher_is_better: bool) -> None:
    """Shade each band, rule its top in white and write its name and range on the right."""
    ranked = list(reversed(bands)) if higher_is_better else bands
    tints = style.BAND_TINTS
    tint = {id(b): tints[min(i, len(tints) - 1)] for i, b in enumerate(ranked)}
    shading = canvas.group()
    rules = canvas.group(stroke="#ffffff", stroke_width=1.0)
    labels = canvas.group(fill=style.INK, **font(style.SMALL))
    for band in bands:
        low = max(band.lower - 0.5, 0)
        high = min(band.upper + 0.5, frame.y_max)
        if high <= low:
            continue
        top, bottom = frame.y(high), frame.y(low)
        canvas.rect(LEFT, top, RIGHT - LEFT, bottom - top, into=shading, fill=tint[id(band)])
        canvas.line(LEFT, top, RIGHT, top, into=rules)
        room = int((bottom - top) // (style.SMALL * 1.3))
        lines = _band_text(band, room).split("\n")
        first = (top + bottom) / 2 - (len(lines) - 1) * BAND_LINE / 2 + MIDDLE * style.SMALL
        for i, line in enumerate(lines):
            canvas.text(RIGHT + 0.02 * (RIGHT - LEFT), first + i * BAND_LINE, line, into=labels)


def _band_text(band: Band, room: int) -> str:
    """Fit the band name and range into ``room`` lines, keeping the range whenever possible."""
    span = f"{band.lower}–{band.upper}"
    lines = textwrap.wrap(band.label, 13) or [""]
    if room >= len(lines) + 1:
        return "\n".join([*lines, span])
    if room >= len(lines):
        return "\n".join([*lines[:-1], f"{lines[-1]} {span}"])
    return band.label


def _draw_axes(
    canvas: Canvas, frame: _Frame, x_ticks: list[tuple[float, str]], x_label: str
) -> None:
    """Draw the left and bottom axis lines with outward ticks, tick labels and axis names."""
    y_ticks = [(float(n), str(n)) for n in ticks.integer_ticks(0, frame.y_max, 6)]
    marks = "".join(f"M{num(frame.x(v))} {num(frame.bottom)}v{num(TICK)}" for v, _ in x_ticks)
    marks += "".join(f"M{num(LEFT - TICK)} {num(frame.y(v))}h{num(TICK)}" for v, _ in y_ticks)
    lines = canvas.group(fill="none", stroke=style.MUTED, stroke_width=0.8)
    canvas.path(f"M{num(LEFT)} {num(frame.top)}V{num(frame.bottom)}H{num(RIGHT)}", into=lines)
    if marks:
        canvas.path(marks, into=lines)
    small = canvas.group(fill=style.INK, **font(style.SMALL))
    below = frame.bottom + TICK + TICK_PAD + ASCENT * style.SMALL
    for value, label in x_ticks:
        canvas.text(frame.x(value), below, label, into=small, text_anchor="middle")
    beside = LEFT - TICK - TICK_PAD
    for value, label in y_ticks:
        y = frame.y(value) + MIDDLE * style.SMALL
        canvas.text(beside, y, label, into=small, text_anchor="end")
    names = canvas.group(fill=style.INK, text_anchor="middle", **font(style.FONT_SIZE))
    size = style.FONT_SIZE
    x_name = _x_name_baseline(frame)
    canvas.text((LEFT + RIGHT) / 2, x_name, x_label, into=names)
    widest = max(text_width(label, style.SMALL) for _, label in y_ticks)
    y_name = max(beside - widest - LABEL_PAD - DESCENT * size, ASCENT * size)
    middle = (frame.top + frame.bottom) / 2
    rotate = f"rotate(-90 {num(y_name)} {num(middle)})"
    canvas.text(y_name, middle, "Total score", into=names, transform=rotate)


def _draw_series(canvas: Canvas, frame: _Frame, plot: _Plot) -> None:
    """Draw the line with white-edged markers, and each total above its point if few."""
    where = [(frame.x(x), frame.y(t)) for x, t in zip(plot.xs, plot.totals, strict=True)]
    canvas.polyline(
        where, fill="none", stroke=style.LINE, stroke_width=2.0, stroke_linecap="square"
    )
    markers = canvas.group(fill=style.LINE, stroke="#ffffff", stroke_width=1.2)
    for x, y in where:
        canvas.circle(x, y, 3.25, into=markers)
    if len(plot.totals) > MAX_VALUE_LABELS:
        return
    labels = canvas.group(fill=style.INK, **font(style.SMALL, weight="700"))
    for (x, y), total in zip(where, plot.totals, strict=True):
        above = total <= frame.y_max * 0.9
        baseline = y - 8 - DESCENT * style.SMALL if above else y + 9 + ASCENT * style.SMALL
        width = text_width(str(total), style.SMALL, bold=True)
        _text_box(canvas, labels, x - width / 2, baseline, width, style.SMALL, 0.12, 0.85)
        canvas.text(x, baseline, str(total), into=labels, text_anchor="middle")


def _text_box(
    canvas: Canvas,
    into: ET.Element,
    x: float,
    baseline: float,
    width: float,
    size: float,
    pad: float,
    opacity: float,
) -> None:
    """Put a rounded white box behind one line of text, padded by ``pad`` em all round."""
    pad *= size
    top = baseline - ASCENT * size - pad
    height = size + 2 * pad
    canvas.rect(
        x - pad,
        top,
        width + 2 * pad,
        height,
        into=into,
        rx=pad,
        fill="#ffffff",
        fill_opacity=opacity,
        stroke="none",
    )


def _draw_empty(canvas: Canvas, frame: _Frame) -> None:
    """Say so in a box in the middle of the plot when there is nothing to draw."""
    text = "No scores yet"
    size = style.TITLE_SIZE
    width = text_width(text, size)
    x, y = (LEFT + RIGHT) / 2, (frame.top + frame.bottom) / 2
    baseline = y + (ASCENT - 0.5) * size
    pad = 0.5 * size
    canvas.rect(
        x - width / 2 - pad,
        y - size / 2 - pad,
        width + 2 * pad,
        size + 2 * pad,
        rx=pad,
        fill="#ffffff",
        stroke=style.MUTED,
        stroke_width=1.0,
    )
    canvas.text(x, baseline, text, fill=style.INK, text_anchor="middle", **font(size))


def _draw_event_lines(canvas: Canvas, frame: _Frame, plot: _Plot) -> None:
    """Dash a line at each event, under the scores, so the line stays readable across it."""
    if not plot.marks:
        return
    dashed = canvas.group(stroke=style.MUTED, stroke_width=1.1, stroke_dasharray="4.4,3.3")
    for where, _label, _day in plot.marks:
        x = frame.x(where)
        canvas.line(x, frame.bottom, x, frame.top - EVENT_STRIP / 2, into=dashed)


def _draw_event_markers(canvas: Canvas, frame: _Frame, plot: _Plot) -> None:
    """Number each event in a strip above the plot; its words go in the key, never over scores.

    A label cut short and written across the line hid the scores under it (issue 15), so the
    plot carries only the number and the key under the chart gives each event in full.
    """
    if not plot.marks:
        return
    badges = canvas.group(fill="#ffffff", stroke=style.MUTED, stroke_width=1.0)
    numbers = canvas.group(fill=style.INK, **font(EVENT_SIZE, weight="700"))
    y = frame.top - EVENT_STRIP / 2
    last = -EVENT_STRIP
    for i, (where, _label, _day) in enumerate(plot.marks, start=1):
        x = max(frame.x(where), last + EVENT_STRIP)  # events on one day sit side by side
        last = x
        canvas.circle(x, y, EVENT_STRIP / 2 - 1.5, into=badges)
        canvas.text(x, y + MIDDLE * EVENT_SIZE, str(i), into=numbers, text_anchor="middle")


def _key_lines(plot: _Plot) -> list[tuple[str, str]]:
    """Return (number, words) lines naming each event in full, wrapped to the chart's width."""
    room = RIGHT - LEFT - KEY_INDENT
    lines: list[tuple[str, str]] = []
    for i, (_where, label, day) in enumerate(plot.marks, start=1):
        words = f"{' '.join(label.split())} ({style.format_date(day)})".split(" ")
        number, line = str(i), ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, EVENT_SIZE) > room:
                lines.append((number, line))
                number, line = "", word
            else:
                line = candidate
        lines.append((number, line))
    return lines


def _draw_key(canvas: Canvas, frame: _Frame, lines: list[tuple[str, str]]) -> None:
    """Write the key of events under the axis name: the number, then the event in full."""
    if not lines:
        return
    key = canvas.group(fill=style.INK, **font(EVENT_SIZE))
    first = _x_name_baseline(frame) + DESCENT * style.FONT_SIZE + KEY_GAP + ASCENT * EVENT_SIZE
    for i, (number, words) in enumerate(lines):
        baseline = first + i * KEY_LINE
        if number:
            canvas.text(LEFT, baseline, number, into=key, font_weight="700")
        canvas.text(LEFT + KEY_INDENT, baseline, words, into=key)


def _x_name_baseline(frame: _Frame) -> float:
    return frame.bottom + TICK + TICK_PAD + style.SMALL + LABEL_PAD + ASCENT * style.FONT_SIZE


def _band_of(total: int, bands: list[Band]) -> str | None:
    return next((b.label for b in bands if b.lower <= total <= b.upper), None)


def _describe_point(point: ScorePoint, bands: list[Band]) -> str:
    band = _band_of(point.total, bands)
    where = f"session {point.session_number}, " if point.session_number is not None else ""
    return f"{point.total}{f' ({band})' if band else ''} at {where}{style.format_date(point.date)}"


def _describe(
    points: list[ScorePoint],
    bands: list[Band],
    events: Sequence[EventMark],
    mode: str,
    higher_is_better: bool,
) -> str:
    by = "session" if mode == "session" else "date"
    parts = []
    if not points:
        parts.append("No scores yet.")
    else:
        totals = [p.total for p in points]
        parts.append(f"{len(points)} score{'s' if len(points) != 1 else ''} by {by}.")
        parts.append(f"First: {_describe_point(points[0], bands)}.")
        if len(points) > 1:
            parts.append(f"Latest: {_describe_point(points[-1], bands)}.")
            parts.append(f"Lowest {min(totals)}, highest {max(totals)}.")
    parts.append(f"{'Higher' if higher_is_better else 'Lower'} scores are better.")
    if bands:
        listed = "; ".join(f"{b.lower}–{b.upper} {b.label}" for b in bands)
        parts.append(f"Severity bands: {listed}.")
    if events:
        listed = "; ".join(
            f"{style.format_date(e.date)} {e.label}" for e in sorted(events, key=lambda e: e.date)
        )
        parts.append(f"Life events: {listed}.")
    return " ".join(parts)
