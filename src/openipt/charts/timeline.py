"""The interpersonal inventory timeline: life events around the onset of symptoms.

Scores, when given, are drawn in a short panel under the events that shares the same
date axis. A twin y axis over the events made the score line run through the event
labels, so the panel keeps both readable while the dates still line up.
"""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from openipt.charts import style
from openipt.charts.memo import memoized_svg
from openipt.charts.svg import finalise
from openipt.charts.types import ScorePoint, TimelineEvent

# Marker shapes assigned to event kinds in sorted order, so a kind keeps its shape.
SHAPES = ("o", "s", "D", "^", "v", "P", "X", "p", "h", "<", ">")
LEVELS = (0.9, -0.9, 1.9, -1.9)  # label heights above/below the time line, in turn
SCORE_PANEL = 1.0  # inches
LEGEND_ROW = 0.24  # inches


@memoized_svg
def timeline(
    events: Sequence[TimelineEvent],
    *,
    onset: datetime.date | None,
    scores: Sequence[ScorePoint] = (),
    title: str,
) -> str:
    """Render dated events, the symptom onset and optional PHQ-9 totals as an SVG string."""
    ordered = sorted(events, key=lambda e: (e.date, e.label))
    points = sorted(scores, key=lambda p: p.date)
    kinds = sorted({e.kind for e in ordered})
    legend_rows = (len(kinds) + 2) // 3
    height = style.TIMELINE_SIZE[1] + (SCORE_PANEL if points else 0) + LEGEND_ROW * legend_rows

    def draw(fig: Figure) -> None:
        _draw(fig, ordered, onset, points, kinds, title, legend_rows)

    desc = _describe(ordered, onset, points)
    raw = style.render_svg((style.TIMELINE_SIZE[0], height), draw)
    return finalise(raw, title=title, desc=desc)


def _draw(
    fig: Figure,
    events: list[TimelineEvent],
    onset: datetime.date | None,
    points: list[ScorePoint],
    kinds: list[str],
    title: str,
    legend_rows: int,
) -> None:
    style.add_title(fig, title)
    style.add_subtitle(fig, "Life events in date order, with the onset of symptoms.")
    bottom = 0.45 + LEGEND_ROW * legend_rows
    top = style.TITLE_BAND + 0.25  # room for the "Symptom onset" label above the axes
    left = 0.55 if points else 0.3  # room for the PHQ-9 axis and the first date label
    style.set_margins(fig, left=left, right=0.3, top=top, bottom=bottom)
    if points:
        grid = fig.add_gridspec(
            2, 1, height_ratios=(style.TIMELINE_SIZE[1] - 1.3, SCORE_PANEL), hspace=0.12
        )
        ax = fig.add_subplot(grid[0])
        score_ax: Axes | None = fig.add_subplot(grid[1], sharex=ax)
        ax.tick_params(axis="x", bottom=False, labelbottom=False)
        ax.spines["bottom"].set_visible(False)
    else:
        ax = fig.add_subplot()
        score_ax = None
    days = [e.date for e in events] + [p.date for p in points] + ([onset] if onset else [])
    _draw_events(ax, events, kinds)
    ax.tick_params(axis="x", length=3, width=0.8)
    if score_ax is not None:
        _draw_scores(score_ax, points, events)
    if not days:
        ax.text(
            0.5,
            0.5,
            "No events yet",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=style.TITLE_SIZE,
            color=style.INK,
            bbox={"boxstyle": "round,pad=0.5", "fc": "white", "ec": style.MUTED},
        )
        ax.set_xticks([])
    else:
        style.use_date_axis(score_ax or ax, *style.pad_dates(min(days), max(days)))
        _label_events(ax, events)
    if onset is not None:
        _draw_onset(ax, score_ax, onset)
    _draw_legend(fig, kinds, legend_rows)


def _draw_events(ax: Axes, events: list[TimelineEvent], kinds: list[str]) -> None:
    ax.set_ylim(-3.4, 3.4)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.axhline(0, color=style.MUTED, linewidth=1.6, zorder=1)
    for i, event in enumerate(events):
        level = LEVELS[i % len(LEVELS)]
        ax.plot(
            [style.x_of(event.date)] * 2, [0, level * 0.9], color="#9a9a9a", linewidth=0.9, zorder=1
        )
        ax.plot(
            [style.x_of(event.date)],
            [0],
            marker=SHAPES[kinds.index(event.kind) % len(SHAPES)],
            markersize=8,
            color=style.LINE,
            markeredgecolor="white",
            markeredgewidth=1.0,
            linestyle="none",
            zorder=3,
            clip_on=False,
        )


def _label_events(ax: Axes, events: list[TimelineEvent]) -> None:
    low, high = ax.get_xlim()
    for i, event in enumerate(events):
        level = LEVELS[i % len(LEVELS)]
        fraction = (style.x_of(event.date) - low) / (high - low)
        ha = "left" if fraction < 0.2 else "right" if fraction > 0.8 else "center"
        nudge = {"left": -4, "right": 4, "center": 0}[ha]
        label = "\n".join(textwrap.wrap(style.shorten(event.label, 34), 17))
        ax.annotate(
            f"{style.format_short_date(event.date)}\n{label}",
            (style.x_of(event.date), level),
            xytext=(nudge, 0),
            textcoords="offset points",
            ha=ha,
            va="bottom" if level > 0 else "top",
            fontsize=style.SMALL,
            color=style.INK,
            linespacing=1.1,
            zorder=4,
            annotation_clip=False,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#c8c8c8", "linewidth": 0.6},
        )


def _draw_scores(ax: Axes, points: list[ScorePoint], events: list[TimelineEvent]) -> None:
    top = max(27, max(p.total for p in points))
    ax.set_ylim(0, top)
    ax.set_yticks([0, 10, 20] if top <= 30 else [0, top // 2, top])
    style.style_axes(ax)
    ax.set_ylabel("PHQ-9", fontsize=style.SMALL)
    ax.tick_params(axis="x", length=3, width=0.8)
    for event in events:
        ax.axvline(style.x_of(event.date), color="#c8c8c8", linewidth=0.8, zorder=0)
    ax.plot(
        [style.x_of(p.date) for p in points],
        [p.total for p in points],
        color=style.LINE,
        marker="o",
        markersize=4.5,
        markeredgecolor="white",
        markeredgewidth=0.8,
        linewidth=1.6,
        zorder=3,
        clip_on=False,
    )
    last = points[-1]
    ax.annotate(
        str(last.total),
        (style.x_of(last.date), last.total),
        xytext=(5, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=style.SMALL,
        weight="bold",
        annotation_clip=False,
    )


def _draw_onset(ax: Axes, score_ax: Axes | None, onset: datetime.date) -> None:
    for target in (ax, score_ax):
        if target is not None:
            target.axvline(
                style.x_of(onset),
                color=style.ALERT,
                linewidth=2.0,
                linestyle=(0, (6, 2, 1.5, 2)),
                zorder=2,
            )
    low, high = ax.get_xlim()
    fraction = (style.x_of(onset) - low) / (high - low) if high > low else 0.5
    ha = "left" if fraction < 0.2 else "right" if fraction > 0.8 else "center"
    ax.annotate(
        f"Symptom onset {style.format_short_date(onset)}",
        (style.x_of(onset), 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 3),
        textcoords="offset points",
        ha=ha,
        va="bottom",
        fontsize=style.SMALL,
        weight="bold",
        color=style.ALERT,
        annotation_clip=False,
    )


def _draw_legend(fig: Figure, kinds: list[str], rows: int) -> None:
    if not kinds:
        return
    height_in = LEGEND_ROW * rows + 0.05
    ax = fig.add_axes((0.02, 0.01, 0.96, height_in / fig.get_figheight()))
    ax.set_xlim(0, 3)
    ax.set_ylim(rows, 0)
    ax.set_axis_off()
    for i, kind in enumerate(kinds):
        column, row = i % 3, i // 3
        ax.add_line(
            Line2D(
                [column + 0.06],
                [row + 0.5],
                marker=SHAPES[i % len(SHAPES)],
                markersize=7,
                color=style.LINE,
                linestyle="none",
            )
        )
        ax.text(
            column + 0.13,
            row + 0.5,
            style.shorten(kind.capitalize(), 22),
            ha="left",
            va="center",
            fontsize=style.SMALL,
            color=style.INK,
        )


def _describe(
    events: list[TimelineEvent], onset: datetime.date | None, points: list[ScorePoint]
) -> str:
    parts = []
    if onset is not None:
        parts.append(f"Symptom onset {style.format_date(onset)}.")
    else:
        parts.append("Symptom onset not recorded.")
    if events:
        listed = "; ".join(f"{style.format_date(e.date)} {e.label} ({e.kind})" for e in events)
        parts.append(f"{len(events)} event{'s' if len(events) != 1 else ''}: {listed}.")
    else:
        parts.append("No events yet.")
    if points:
        listed = "; ".join(f"{style.format_date(p.date)} {p.total}" for p in points)
        parts.append(f"PHQ-9 totals: {listed}.")
    return " ".join(parts)
