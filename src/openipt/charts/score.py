"""Questionnaire totals over a course, on labelled severity bands."""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from openipt.charts import style
from openipt.charts.memo import memoized_svg
from openipt.charts.svg import finalise
from openipt.charts.types import Band, EventMark, ScorePoint

MAX_VALUE_LABELS = 16  # beyond this, numbers above every point crowd the line


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

    def draw(fig: Figure) -> None:
        _draw(fig, plot, ordered_bands, title, y_max, higher_is_better)

    desc = _describe(points, ordered_bands, events, x, higher_is_better)
    return finalise(style.render_svg(style.SCORE_SIZE, draw), title=title, desc=desc)


@dataclass(frozen=True, slots=True)
class _Plot:
    """Where points and events go on the x axis, worked out once before drawing."""

    mode: str
    xs: list[float]
    totals: list[int]
    marks: list[tuple[float, str]]
    days: list[datetime.date]  # every date shown, for the date axis range

    @classmethod
    def build(cls, points: list[ScorePoint], events: Sequence[EventMark], mode: str) -> _Plot:
        totals = [p.total for p in points]
        if mode == "date":
            days = [p.date for p in points] + [e.date for e in events]
            marks = [(style.x_of(e.date), e.label) for e in events]
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
        marks = [
            (
                float(e.session_number)
                if e.session_number is not None
                else _session_at(e.date, anchors),
                e.label,
            )
            for e in events
        ]
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
    return round(float(np.interp(ordinal, days, sessions)), 2)


def _draw(
    fig: Figure, plot: _Plot, bands: list[Band], title: str, y_max: int, higher_is_better: bool
) -> None:
    style.set_margins(fig, left=0.5, right=1.05, top=style.TITLE_BAND + 0.1, bottom=0.5)
    ax = fig.add_subplot()
    ax.tick_params(length=3, width=0.8)
    style.add_title(fig, title)
    better = "Higher" if higher_is_better else "Lower"
    style.add_subtitle(fig, f"Total score 0–{y_max}. {better} is better.")
    ax.set_ylim(0, y_max)
    ax.set_ylabel("Total score")
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    _draw_bands(fig, ax, bands, y_max, higher_is_better)
    _set_x_axis(ax, plot)
    if not plot.totals:
        ax.text(
            0.5,
            0.5,
            "No scores yet",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=style.TITLE_SIZE,
            color=style.INK,
            bbox={"boxstyle": "round,pad=0.5", "fc": "white", "ec": style.MUTED},
        )
    else:
        ax.plot(
            plot.xs,
            plot.totals,
            color=style.LINE,
            marker="o",
            markersize=6.5,
            markerfacecolor=style.LINE,
            markeredgecolor="white",
            markeredgewidth=1.2,
            zorder=3,
            clip_on=False,
        )
        if len(plot.totals) <= MAX_VALUE_LABELS:
            _label_values(ax, plot, y_max)
    _draw_events(ax, plot)


def _draw_bands(
    fig: Figure, ax: Axes, bands: list[Band], y_max: int, higher_is_better: bool
) -> None:
    ranked = list(reversed(bands)) if higher_is_better else bands
    tint = {
        id(b): style.BAND_TINTS[min(i, len(style.BAND_TINTS) - 1)] for i, b in enumerate(ranked)
    }
    to_label = blended_transform_factory(ax.transAxes, ax.transData)
    axis_height_pt = ax.get_position().height * fig.get_figheight() * 72
    line_pt = style.SMALL * 1.3
    for band in bands:
        low = max(band.lower - 0.5, 0)
        high = min(band.upper + 0.5, y_max)
        if high <= low:
            continue
        ax.axhspan(low, high, color=tint[id(band)], linewidth=0, zorder=0)
        ax.axhline(high, color="white", linewidth=1.0, zorder=0.5)
        room = int((high - low) / y_max * axis_height_pt // line_pt)
        ax.text(
            1.02,
            (low + high) / 2,
            _band_text(band, room),
            transform=to_label,
            ha="left",
            va="center",
            fontsize=style.SMALL,
            linespacing=1.1,
            clip_on=False,
        )


def _band_text(band: Band, room: int) -> str:
    """Fit the band name and range into ``room`` lines, keeping the range whenever possible."""
    span = f"{band.lower}–{band.upper}"
    lines = textwrap.wrap(band.label, 13) or [""]
    if room >= len(lines) + 1:
        return "\n".join([*lines, span])
    if room >= len(lines):
        return "\n".join([*lines[:-1], f"{lines[-1]} {span}"])
    return band.label


def _set_x_axis(ax: Axes, plot: _Plot) -> None:
    if plot.mode == "date":
        ax.set_xlabel("Date")
        if not plot.days:
            ax.set_xticks([])
            return
        style.use_date_axis(ax, *style.pad_dates(min(plot.days), max(plot.days)))
        return
    ax.set_xlabel("Session")
    numbers = plot.xs + [m[0] for m in plot.marks] or [1.0, 12.0]
    low, high = min(numbers), max(numbers)
    if high - low < 4:
        high = low + 4
    ax.set_xlim(low - 0.5, high + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: "Before" if v == 0 else f"{v:.0f}"))


def _label_values(ax: Axes, plot: _Plot, y_max: int) -> None:
    for where, total in zip(plot.xs, plot.totals, strict=True):
        above = total <= y_max * 0.9
        ax.annotate(
            str(total),
            (where, total),
            xytext=(0, 8 if above else -9),
            textcoords="offset points",
            ha="center",
            va="bottom" if above else "top",
            fontsize=style.SMALL,
            weight="bold",
            color=style.INK,
            zorder=4,
            annotation_clip=False,
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85},
        )


def _draw_events(ax: Axes, plot: _Plot) -> None:
    if not plot.marks:
        return
    low, high = ax.get_xlim()
    for i, (where, label) in enumerate(sorted(plot.marks)):
        ax.axvline(where, color=style.MUTED, linestyle=(0, (4, 3)), linewidth=1.1, zorder=2)
        fraction = (where - low) / (high - low) if high > low else 0.0
        right = fraction > 0.7
        ax.annotate(
            style.shorten(label, 22),
            (where, 0.97 - 0.09 * (i % 2)),
            xycoords=("data", "axes fraction"),
            xytext=(-3 if right else 3, 0),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top",
            fontsize=7.5,
            color=style.INK,
            zorder=5,
            annotation_clip=False,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
        )


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
