"""The interpersonal inventory's closeness circle: who is close, who supports, where conflict is.

Encodings never rely on colour alone: support is shown by how much of the marker is
filled, loss by a dashed outline with a cross, and conflict by a red ring whose shape
differs (spiky when overt, dotted when covert). Conflict is drawn around the person rather
than as a line to the client, because such lines crossed the people on inner rings.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Polygon, Wedge

from openipt.charts import style
from openipt.charts.memo import memoized_svg
from openipt.charts.svg import finalise
from openipt.charts.types import CirclePerson, check_person

CENTRE_RADIUS = 0.8
EDGES = (0.8, 1.85, 2.8, 3.7, 4.55)  # ring k spans EDGES[k-1]..EDGES[k]
LIMIT = 5.7  # half-width of the drawing in data units; leaves room for outer labels
MARKER = 0.2
RING_NAMES = {1: "closest", 2: "close", 3: "less close", 4: "furthest"}
SUPPORT_WORDS = {"confiding": "confiding support", "practical": "practical support"}
GOLDEN_TURN = 0.381966  # stagger rings by a golden fraction of a step so labels interleave
TOP_GAP = math.radians(40)  # kept clear at 12 o'clock for the ring numbers


@memoized_svg
def closeness_circle(
    people: Sequence[CirclePerson], *, centre_label: str = "Client", title: str
) -> str:
    """Render the closeness circle as an accessible SVG string; ring 1 is innermost."""
    for person in people:
        check_person(person)
    placed = _place(people)

    def draw(fig: Figure) -> None:
        _draw(fig, placed, centre_label, title)

    desc = _describe(people, centre_label)
    return finalise(style.render_svg(style.CIRCLE_SIZE, draw), title=title, desc=desc)


def _place(people: Sequence[CirclePerson]) -> list[tuple[CirclePerson, float, float, float]]:
    """Spread each ring's people clockwise from 12 o'clock, in input order.

    Each ring is turned by a golden fraction of its spacing so people on neighbouring
    rings rarely line up and their labels interleave instead of stacking.
    """
    placed = []
    for ring in (1, 2, 3, 4):
        members = [p for p in people if p.ring == ring]
        if not members:
            continue
        step = (2 * math.pi - TOP_GAP) / len(members)
        radius = (EDGES[ring - 1] + EDGES[ring]) / 2
        turn = TOP_GAP / 2 + (0.5 + (ring - 1) * GOLDEN_TURN) % 1.0 * step
        for i, person in enumerate(members):
            angle = math.pi / 2 - turn - i * step
            placed.append(
                (person, radius * math.cos(angle), radius * math.sin(angle), angle % (2 * math.pi))
            )
    return placed


def _draw(
    fig: Figure,
    placed: list[tuple[CirclePerson, float, float, float]],
    centre_label: str,
    title: str,
) -> None:
    style.add_title(fig, title)
    style.add_subtitle(fig, "Ring 1, next to the client, is closest; ring 4 is furthest.")
    legend_height = 1.05
    style.set_margins(fig, left=0.05, right=0.05, top=style.TITLE_BAND, bottom=legend_height)
    ax = fig.add_subplot()
    ax.set_xlim(-LIMIT, LIMIT)
    ax.set_ylim(-LIMIT + 0.5, LIMIT - 0.5)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    _draw_rings(ax, centre_label)
    for person, x, y, angle in placed:
        if person.conflict != "none":
            _draw_conflict(ax, x, y, MARKER, overt=person.conflict == "overt")
        _draw_marker(ax, x, y, MARKER, person)
        gap = MARKER * (2.1 if person.conflict != "none" else 1.6)
        _draw_label(ax, person.label, x, y, angle, gap)
    if not placed:
        ax.text(
            0,
            -(EDGES[1] + EDGES[2]) / 2,
            "No people added yet",
            ha="center",
            va="center",
            fontsize=style.FONT_SIZE,
            color=style.INK,
            bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": style.MUTED},
        )
    _draw_legend(fig, legend_height)


def _draw_rings(ax: Axes, centre_label: str) -> None:
    for ring in (4, 3, 2, 1):
        shade = "#f4f4f4" if ring % 2 else "#ffffff"
        ax.add_patch(
            Circle(
                (0, 0), EDGES[ring], facecolor=shade, edgecolor="#b0b0b0", linewidth=1.0, zorder=0
            )
        )
        ax.text(
            0,
            EDGES[ring] - 0.08,
            str(ring),
            ha="center",
            va="top",
            fontsize=7.5,
            color=style.MUTED,
            zorder=1,
        )
    ax.add_patch(
        Circle(
            (0, 0),
            CENTRE_RADIUS,
            facecolor="#e3ecf5",
            edgecolor=style.LINE,
            linewidth=1.5,
            zorder=1,
        )
    )
    ax.text(
        0,
        0,
        "\n".join(textwrap.wrap(centre_label, 10)[:2]),
        ha="center",
        va="center",
        fontsize=style.FONT_SIZE,
        weight="bold",
        color=style.INK,
        zorder=2,
    )


def _draw_marker(ax: Axes, x: float, y: float, size: float, person: CirclePerson) -> None:
    edge = style.MUTED if person.lost else style.INK
    dashes = (0, (2, 1.5)) if person.lost else "solid"
    fill = "white"
    if person.support == "confiding":
        fill = style.LINE
    ax.add_patch(Circle((x, y), size, facecolor=fill, edgecolor="none", zorder=4))
    if person.support == "practical":
        ax.add_patch(Wedge((x, y), size, 90, 270, facecolor=style.LINE, edgecolor="none", zorder=4))
    ax.add_patch(
        Circle(
            (x, y),
            size,
            facecolor="none",
            edgecolor=edge,
            linewidth=1.4,
            linestyle=dashes,
            zorder=5,
        )
    )
    if person.lost:
        arm = size * 0.62
        cross = "white" if person.support == "confiding" else style.INK
        for sign in (1, -1):
            ax.plot(
                [x - arm, x + arm],
                [y - sign * arm, y + sign * arm],
                color=cross,
                linewidth=1.3,
                solid_capstyle="round",
                zorder=6,
            )


def _draw_conflict(ax: Axes, x: float, y: float, size: float, *, overt: bool) -> None:
    """Ring the marker in red: spiky when the conflict is overt, dotted when covert."""
    if overt:
        spikes = 14
        angles = np.linspace(0, 2 * math.pi, 2 * spikes, endpoint=False)
        radii = np.where(np.arange(2 * spikes) % 2 == 0, size * 1.95, size * 1.35)
        ax.add_patch(
            Polygon(
                np.column_stack([x + radii * np.cos(angles), y + radii * np.sin(angles)]),
                closed=True,
                facecolor="white",
                edgecolor=style.ALERT,
                linewidth=1.3,
                zorder=3,
            )
        )
    else:
        ax.add_patch(
            Circle(
                (x, y),
                size * 1.6,
                facecolor="white",
                edgecolor=style.ALERT,
                linewidth=1.6,
                linestyle=(0, (1, 1.6)),
                zorder=3,
            )
        )


def _draw_label(ax: Axes, label: str, x: float, y: float, angle: float, gap: float) -> None:
    """Put the label outside the marker, on the side facing away from the client."""
    cos, sin = math.cos(angle), math.sin(angle)
    ha = "left" if cos > 0.25 else "right" if cos < -0.25 else "center"
    va = "bottom" if sin > 0.4 else "top" if sin < -0.4 else "center"
    text = "\n".join(textwrap.wrap(style.shorten(label, 28), 14))
    ax.text(
        x + gap * cos,
        y + gap * sin,
        text,
        ha=ha,
        va=va,
        fontsize=style.SMALL,
        color=style.INK,
        linespacing=1.05,
        zorder=7,
        bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85},
    )


def _draw_legend(fig: Figure, height: float) -> None:
    width = fig.get_figwidth()
    ax = fig.add_axes((0, 0, 1, height / fig.get_figheight()))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_axis_off()
    entries: list[tuple[str, CirclePerson | str]] = [
        ("Confiding support", CirclePerson("", 1, support="confiding")),
        ("Practical support", CirclePerson("", 1, support="practical")),
        ("No support noted", CirclePerson("", 1)),
        ("Lost (died or ended)", CirclePerson("", 1, lost=True)),
        ("Overt conflict (spiky red ring)", "overt"),
        ("Covert conflict (dotted red ring)", "covert"),
    ]
    column = width / 2
    for i, (text, sample) in enumerate(entries):
        x = 0.25 + column * (i % 2)
        y = height - 0.22 - 0.27 * (i // 2)
        if isinstance(sample, CirclePerson):
            _draw_marker(ax, x, y, 0.08, sample)
        else:
            _draw_conflict(ax, x, y, 0.065, overt=sample == "overt")
            _draw_marker(ax, x, y, 0.065, CirclePerson("", 1))
        ax.text(x + 0.25, y, text, ha="left", va="center", fontsize=style.SMALL, color=style.INK)


def _person_words(person: CirclePerson) -> str:
    notes = []
    if person.support in SUPPORT_WORDS:
        notes.append(SUPPORT_WORDS[person.support])
    if person.conflict != "none":
        notes.append(f"{person.conflict} conflict")
    if person.lost:
        notes.append("lost")
    return f"{person.label} ({', '.join(notes)})" if notes else person.label


def _describe(people: Sequence[CirclePerson], centre_label: str) -> str:
    if not people:
        return f"Closeness circle for {centre_label}. No people added yet."
    count = len(people)
    parts = [
        f"Closeness circle for {centre_label} with {count} {'person' if count == 1 else 'people'}."
    ]
    for ring in (1, 2, 3, 4):
        members = [_person_words(p) for p in people if p.ring == ring]
        listed = "; ".join(members) if members else "nobody"
        parts.append(f"Ring {ring} ({RING_NAMES[ring]}): {listed}.")
    return " ".join(parts)
