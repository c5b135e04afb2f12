"""The client's mood diary: mood 0-10 as a line over bars of daily social contacts."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from openipt.charts import style
from openipt.charts.memo import memoized_svg
from openipt.charts.svg import finalise
from openipt.charts.types import MoodEntry

MAX_MARKERS = 31  # above a month of days, markers merge into a thick line


@memoized_svg
def mood_chart(entries: Sequence[MoodEntry], *, title: str) -> str:
    """Render mood and contacts by date as an accessible SVG string."""
    ordered = sorted(entries, key=lambda e: e.date)

    def draw(fig: Figure) -> None:
        _draw(fig, ordered, title)

    desc = _describe(ordered)
    return finalise(style.render_svg(style.MOOD_SIZE, draw), title=title, desc=desc)


def _draw(fig: Figure, entries: list[MoodEntry], title: str) -> None:
    style.add_title(fig, title)
    style.add_subtitle(fig, "Mood from 0 (lowest) to 10 (best), and people in contact each day.")
    style.set_margins(fig, left=0.5, right=0.5, top=style.TITLE_BAND + 0.3, bottom=0.42)
    mood_ax = fig.add_subplot()
    contact_ax = mood_ax.twinx()
    # The mood axis is drawn over the bars so the line is never hidden.
    mood_ax.set_zorder(contact_ax.get_zorder() + 1)
    mood_ax.patch.set_visible(False)
    style.style_axes(mood_ax)
    contact_ax.spines["right"].set_visible(True)
    contact_ax.spines["top"].set_visible(False)
    contact_ax.tick_params(length=3, width=0.8)
    mood_ax.set_ylim(0, 10)
    mood_ax.set_yticks(range(0, 11, 2))
    mood_ax.set_ylabel("Mood (line)")
    contact_ax.set_ylabel("Contacts (bars)")
    top = max((e.contacts for e in entries), default=0)
    contact_ax.set_ylim(0, max(4, top + 1))
    contact_ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    fig.legend(
        handles=[
            Line2D([], [], color=style.LINE, marker="o", markersize=5, label="Mood"),
            Patch(facecolor=style.BAR, edgecolor=style.BAR_EDGE, label="Contacts"),
        ],
        loc="lower right",
        bbox_to_anchor=(0.98, 1 - (style.TITLE_BAND + 0.3) / fig.get_figheight()),
        ncol=2,
        frameon=False,
        fontsize=style.SMALL,
        handlelength=1.6,
        borderaxespad=0.2,
    )
    if not entries:
        mood_ax.text(
            0.5,
            0.5,
            "No entries yet",
            transform=mood_ax.transAxes,
            ha="center",
            va="center",
            fontsize=style.TITLE_SIZE,
            color=style.INK,
            bbox={"boxstyle": "round,pad=0.5", "fc": "white", "ec": style.MUTED},
        )
        mood_ax.set_xticks([])
        return
    days = [e.date for e in entries]
    xs = [style.x_of(day) for day in days]
    gaps = [(b - a).days for a, b in itertools.pairwise(days) if b > a]
    width = 0.7 * min(gaps, default=1)
    contact_ax.bar(
        xs,
        [e.contacts for e in entries],
        width=width,
        color=style.BAR,
        edgecolor=style.BAR_EDGE,
        linewidth=0.6,
        zorder=1,
    )
    marker = "o" if len(entries) <= MAX_MARKERS else None
    mood_ax.plot(
        xs,
        [e.mood for e in entries],
        color=style.LINE,
        marker=marker,
        markersize=5,
        markeredgecolor="white",
        markeredgewidth=0.9,
        zorder=3,
        clip_on=False,
    )
    style.use_date_axis(mood_ax, *style.pad_dates(days[0], days[-1], minimum=1))


def _describe(entries: list[MoodEntry]) -> str:
    if not entries:
        return "No entries yet."
    moods = [e.mood for e in entries]
    contacts = [e.contacts for e in entries]
    low = min(entries, key=lambda e: (e.mood, e.date))
    high = max(entries, key=lambda e: (e.mood, _newest_first(e.date)))
    latest = entries[-1]
    count = len(entries)
    return " ".join(
        [
            f"{count} diary entr{'y' if count == 1 else 'ies'} from "
            f"{style.format_date(entries[0].date)} to {style.format_date(latest.date)}.",
            f"Average mood {sum(moods) / count:.1f} out of 10; lowest {low.mood} on "
            f"{style.format_date(low.date)}, highest {high.mood} on "
            f"{style.format_date(high.date)}.",
            f"Contacts: {sum(contacts)} in total, {sum(contacts) / count:.1f} a day on average.",
            f"Latest: mood {latest.mood}, {latest.contacts} contact"
            f"{'' if latest.contacts == 1 else 's'} on {style.format_date(latest.date)}.",
        ]
    )


def _newest_first(day: datetime.date) -> int:
    # max() keeps the earliest of equal moods when ordinals are negated.
    return -day.toordinal()
