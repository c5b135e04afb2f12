"""Deterministic SVG charts of service outcomes: counts as bars, rates as lines or bars.

Built on the shared chart style (`openipt.charts.style`: rcParams, fonts, colours, one render
lock) and its SVG clean-up (`openipt.charts.svg.finalise`: role, title, desc, no inline CSS),
so the output is byte-identical for the same input and safe under a strict CSP. A missing
value (text such as "hidden" for a suppressed one) is a labelled gap, never a zero. Pages
show a table beside each chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from openipt.charts import style
from openipt.charts.memo import memoized_svg
from openipt.charts.svg import finalise

# A number, or text written in place of a missing bar or point ("hidden", "no data").
Value = float | int | str | None
NO_DATA = "no data"
# Series are told apart by marker, dash and hatch as well as colour (never colour alone).
SERIES_LOOK: tuple[dict[str, Any], ...] = (
    {"color": style.LINE, "marker": "o", "linestyle": "-", "hatch": "", "fill": style.BAR},
    {"color": style.INK, "marker": "s", "linestyle": "--", "hatch": "///", "fill": "white"},
    {"color": style.MUTED, "marker": "^", "linestyle": ":", "hatch": "...", "fill": "#ebebeb"},
)
MAX_TICK_LABELS = 12


@memoized_svg
def count_chart(
    labels: Sequence[str], values: Sequence[Value], *, title: str, subtitle: str, across: bool
) -> str:
    """Render one count per group: columns over time (``across``) or bars per category."""
    size = _size(len(labels), across)

    def draw(fig: Figure) -> None:
        ax = _axes(fig, title, subtitle, across, labels)
        positions = range(len(labels))
        heights = [_number(v) or 0 for v in values]
        look = SERIES_LOOK[0]
        bar = ax.bar if across else ax.barh
        bar(positions, heights, 0.7, color=look["fill"], edgecolor=style.BAR_EDGE, linewidth=0.6)
        _value_axis(ax, across, max((_number(v) or 0 for v in values), default=0))
        _mark_values(ax, values, across, percent=False)

    desc = f"{subtitle} " + "; ".join(
        f"{label}: {_say(v, percent=False)}" for label, v in zip(labels, values, strict=True)
    )
    return finalise(style.render_svg(size, draw), title=title, desc=desc + ".")


@memoized_svg
def rate_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    *,
    title: str,
    subtitle: str,
    across: bool,
) -> str:
    """Render up to three rates (per cent) per group: lines over time or grouped bars."""
    if not 1 <= len(series) <= len(SERIES_LOOK):
        raise ValueError(f"rate_chart draws 1 to {len(SERIES_LOOK)} series, got {len(series)}.")
    size = _size(len(labels), across, per_group=1 if across else len(series))

    def draw(fig: Figure) -> None:
        ax = _axes(fig, title, subtitle, across, labels)
        if across:
            _lines(ax, series)
        else:
            _grouped_bars(ax, series)
        _value_axis(ax, across, 100, percent=True)
        _legend(fig, series, across)

    parts = []
    for label_index, label in enumerate(labels):
        said = ", ".join(f"{name} {_say(vals[label_index])}" for name, vals in series)
        parts.append(f"{label}: {said}")
    desc = f"{subtitle} " + "; ".join(parts) + "."
    return finalise(style.render_svg(size, draw), title=title, desc=desc)


# --- drawing ---------------------------------------------------------------------------------


def _size(count: int, across: bool, per_group: int = 1) -> tuple[float, float]:
    if across:
        return (style.WIDTH, 3.4)
    return (style.WIDTH, 1.3 + 0.2 * max(count, 1) * (per_group + 0.6))


def _axes(fig: Figure, title: str, subtitle: str, across: bool, labels: Sequence[str]) -> Axes:
    style.add_title(fig, title)
    style.add_subtitle(fig, subtitle)
    top = style.TITLE_BAND + 0.3
    if across:
        style.set_margins(fig, left=0.55, right=0.2, top=top, bottom=0.55)
    else:
        style.set_margins(fig, left=1.55, right=0.45, top=top, bottom=0.4)
    ax = fig.add_subplot()
    style.style_axes(ax)
    ticks = list(range(len(labels)))
    names = [style.shorten(label, 22) for label in labels]
    if across:
        step = max(1, math.ceil(len(labels) / MAX_TICK_LABELS))
        ax.set_xticks(ticks[::step], names[::step], rotation=45, ha="right")
        ax.set_xlim(-0.6, len(labels) - 0.4)
    else:
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color=style.GRID, linewidth=0.6)
        ax.set_yticks(ticks, names)
        ax.set_ylim(len(labels) - 0.4, -0.6)  # first group on top, as in the table
    return ax


def _value_axis(ax: Axes, across: bool, top: float, *, percent: bool = False) -> None:
    limit = 100 if percent else max(4, top * 1.15)
    (ax.set_ylim if across else ax.set_xlim)(0, limit)
    axis = ax.yaxis if across else ax.xaxis
    axis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    if percent:
        (ax.set_ylabel if across else ax.set_xlabel)("Per cent")


def _mark_values(ax: Axes, values: Sequence[Value], across: bool, *, percent: bool) -> None:
    """Write each value at its bar's end, and "hidden" where a value was suppressed."""
    if across and len(values) > MAX_TICK_LABELS:
        return  # too many columns to label; the table beside the chart has the numbers
    for position, value in enumerate(values):
        text = _say(value, percent=percent)
        where = _number(value) or 0
        xy = (position, where) if across else (where, position)
        offset = (0, 3) if across else (3, 0)
        ax.annotate(
            text,
            xy,
            xytext=offset,
            textcoords="offset points",
            ha="center" if across else "left",
            va="bottom" if across else "center",
            fontsize=style.SMALL,
            color=style.INK if _number(value) is not None else style.MUTED,
        )


def _lines(ax: Axes, series: Sequence[tuple[str, Sequence[Value]]]) -> None:
    for (_, values), look in zip(series, SERIES_LOOK, strict=False):
        ys = [float(n) if (n := _number(v)) is not None else math.nan for v in values]
        ax.plot(
            range(len(values)),
            ys,
            color=look["color"],
            marker=look["marker"],
            linestyle=look["linestyle"],
            markersize=5,
            clip_on=False,
        )


def _grouped_bars(ax: Axes, series: Sequence[tuple[str, Sequence[Value]]]) -> None:
    height = 0.8 / len(series)
    for index, ((_, values), look) in enumerate(zip(series, SERIES_LOOK, strict=False)):
        offset = -0.4 + height * (index + 0.5)
        positions = [p + offset for p in range(len(values))]
        widths = [_number(v) or 0 for v in values]
        ax.barh(
            positions,
            widths,
            height * 0.9,
            color=look["fill"],
            edgecolor=look["color"],
            hatch=look["hatch"],
            linewidth=0.8,
        )
        for position, value in zip(positions, values, strict=True):
            ax.annotate(
                _say(value),
                (_number(value) or 0, position),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=style.SMALL - 1,
                color=style.INK if _number(value) is not None else style.MUTED,
            )


def _legend(fig: Figure, series: Sequence[tuple[str, Sequence[Value]]], across: bool) -> None:
    handles: list[Artist] = []
    for (name, _), look in zip(series, SERIES_LOOK, strict=False):
        if across:
            handles.append(
                Line2D([], [], color=look["color"], marker=look["marker"],
                       linestyle=look["linestyle"], label=name)
            )  # fmt: skip
        else:
            handles.append(
                Patch(facecolor=look["fill"], edgecolor=look["color"], hatch=look["hatch"],
                      label=name)
            )  # fmt: skip
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.01, 1 - style.TITLE_BAND / fig.get_figheight()),
        ncol=len(handles),
        frameon=False,
        fontsize=style.SMALL,
        handlelength=2.2,
        borderaxespad=0.1,
        columnspacing=1.0,
    )


def _number(value: Value) -> float | int | None:
    return None if value is None or isinstance(value, str) else value


def _say(value: Value, *, percent: bool = True) -> str:
    if value is None:
        return NO_DATA
    if isinstance(value, str):
        return value
    if percent:
        return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"
    return f"{value:,}"
