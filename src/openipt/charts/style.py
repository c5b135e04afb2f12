"""Shared look of every chart: fonts, sizes, colours, dates, and one deterministic renderer.

Colours are chosen for WCAG 2.2 AA on white: text is at least 4.5:1 and lines and
markers at least 3:1. Severity is never shown by colour alone; every band is labelled
in words and bands differ in lightness, which survives colour blindness and greyscale print.
"""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported where it is used: charts drawn directly skip it
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

INK = "#1a1a1a"  # 17:1 on white
MUTED = "#595959"  # 7:1 on white, secondary text and axes
GRID = "#d9d9d9"
LINE = "#005a9c"  # 7:1 on white, the data line
ALERT = "#b3261e"  # 6.5:1 on white, conflict and symptom onset
BAR = "#9ec5e8"  # light fill behind a dark outline
BAR_EDGE = "#2b6a9e"
# Severity shading: a lightness ramp, so bands stay distinct in greyscale and for all
# colour-vision types. The darkest tint still gives INK text 9:1.
BAND_TINTS = ("#f7f7f7", "#ebebeb", "#dedede", "#d1d1d1", "#c4c4c4", "#b8b8b8")

FONT_FAMILY = ["DejaVu Sans"]
FONT_SIZE = 10.0
SMALL = 8.5
TITLE_SIZE = 12.0

# Fixed figure sizes in inches (1 in = 72 SVG units). At 5 in wide the SVG is drawn at
# about 1:1 on a 360 px phone, so 8.5 pt text stays about 8 px; pages should cap the
# width on desktop (e.g. max-width: 44rem) rather than let text grow without limit.
WIDTH = 5.0
SCORE_SIZE = (WIDTH, 3.5)
CIRCLE_SIZE = (WIDTH, 6.2)
TIMELINE_SIZE = (WIDTH, 4.2)
MOOD_SIZE = (WIDTH, 3.4)
TITLE_BAND = 0.62  # inches above the axes for the title and subtitle

RC: dict[Any, Any] = {  # Any: matplotlib types keys as a Literal of every rc name
    "svg.fonttype": "none",
    "svg.hashsalt": "openipt",
    "svg.id": None,
    "font.family": FONT_FAMILY,
    "font.size": FONT_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.labelsize": FONT_SIZE,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.labelsize": SMALL,
    "ytick.labelsize": SMALL,
    "text.color": INK,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "lines.linewidth": 2.0,
    "path.simplify": False,
    # Labels are people's words ("$50 and $20"), never mathematics: with mathtext on, a
    # pair of dollars drew garbled text and an odd one ("$\frac{$") raised an error (a 500).
    "text.parse_math": False,
}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# rc_context swaps the process-wide rcParams, so two threads rendering at once could see
# each other's settings half-way. One lock per process keeps output byte-identical.
_RENDER_LOCK = threading.Lock()


def render_svg(size: tuple[float, float], draw: Callable[[Figure], None]) -> str:
    """Draw onto a fresh Figure under our rcParams and return matplotlib's raw SVG."""
    import matplotlib
    from matplotlib.figure import Figure

    with _RENDER_LOCK, matplotlib.rc_context(RC):
        fig = Figure(figsize=size, dpi=72)
        draw(fig)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


EPOCH = datetime.date(1970, 1, 1)  # matplotlib's default date.epoch


def x_of(day: datetime.date) -> float:
    """Return the date's position on a matplotlib date axis (days since 1970).

    Worked out without matplotlib for a date, so that charts drawn directly never load it.
    """
    if isinstance(day, datetime.datetime):  # a time of day: matplotlib's own fraction
        import matplotlib.dates as mdates

        return float(mdates.date2num(day))
    return float(day.toordinal() - EPOCH.toordinal())


def format_date(day: datetime.date) -> str:
    """Return "3 Mar 2025", independent of the server locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_short_date(day: datetime.date) -> str:
    """Return "Mar 2025" for timeline labels where space is tight."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def use_date_axis(ax: Axes, first: datetime.date, last: datetime.date) -> None:
    """Limit the x axis to first..last and label it with locale-independent dates."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    span = (last - first).days
    ax.set_xlim(x_of(first), x_of(last))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)

    def label(value: float, _pos: int | None = None) -> str:
        day = mdates.num2date(value).date()
        if span > 300:
            return f"{MONTHS[day.month - 1]} {day.year}"
        return f"{day.day} {MONTHS[day.month - 1]}"

    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(FuncFormatter(label))


def pad_dates(
    first: datetime.date, last: datetime.date, minimum: int = 3
) -> tuple[datetime.date, datetime.date]:
    """Widen a date range by 5% (at least ``minimum`` days) so end markers are not cut off."""
    pad = datetime.timedelta(days=max(minimum, round((last - first).days * 0.05)))
    return first - pad, last + pad


def set_margins(fig: Figure, *, left: float, right: float, top: float, bottom: float) -> None:
    """Place the axes by margins in inches, so text keeps its size whatever the figure."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height
    )


def add_subtitle(fig: Figure, text: str) -> None:
    """Write a one-line muted note under the title, such as which direction is better."""
    y = 1 - 0.36 / fig.get_figheight()
    fig.text(0.02, y, text, color=MUTED, fontsize=SMALL, ha="left", va="top")


def style_axes(ax: Axes) -> None:
    """Apply the light horizontal grid used by every chart with a value axis."""
    ax.set_axisbelow(True)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.tick_params(length=3, width=0.8)


def add_title(fig: Figure, title: str) -> None:
    """Write the chart title top-left, as a heading would be in print."""
    y = 1 - 0.1 / fig.get_figheight()
    fig.text(0.02, y, title, ha="left", va="top", fontsize=TITLE_SIZE, weight="bold")


def shorten(text: str, limit: int) -> str:
    """Cut a label to ``limit`` characters with an ellipsis; the full text is in the desc."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
