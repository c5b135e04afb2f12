"""A small SVG writer for charts drawn without matplotlib: shapes, text and text widths.

Matplotlib spends most of a simple chart's time laying out ticks and text. A chart whose
layout is fixed (the score chart) writes its elements here instead, in the same units
(points, 72 to the inch, y downwards) and with the same look as `style`. Numbers are
written with at most two decimals, so the same input always gives the same bytes.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import TypedDict

from openipt.charts import style
from openipt.charts.svg import FONT_FALLBACK, SVG_NS

# The font-family matplotlib writes for text (svg.fonttype "none" keeps text as <text>),
# with the fallbacks `svg.finalise` appends to it for browsers without DejaVu.
FONT_STACK = ", ".join(f"'{name}'" for name in style.FONT_FAMILY) + FONT_FALLBACK

# DejaVu Sans advance widths in 1/1000 em for " " to "~", from the font matplotlib ships.
# Browsers without DejaVu fall back to Verdana (a little wider) or Arial (narrower), so
# widths are used only for the white boxes behind labels, which have padding to spare.
_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
    1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip
_PUNCTUATION = {"–": 500, "—": 1000, "…": 1000, "‘": 318, "’": 318, "“": 518, "”": 518}
_UNKNOWN = 636  # a digit's width: wide enough that a box covers rather than cuts
BOLD = 1.1  # DejaVu Sans Bold is about a tenth wider (digits 696 against 636)

# Vertical metrics in em, as matplotlib places DejaVu text: the top of a line is ASCENT
# above its baseline, the bottom DESCENT below; MIDDLE lifts a baseline so that capitals
# and digits look centred on a point.
ASCENT = 0.76
DESCENT = 0.24
MIDDLE = 0.36


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimate the drawn width of one line of text in points."""
    em = sum(_advance(char) for char in text) / 1000
    return em * size * (BOLD if bold else 1.0)


def _advance(char: str) -> int:
    code = ord(char)
    if 32 <= code < 127:
        return _WIDTHS[code - 32]
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    base = ord(unicodedata.normalize("NFD", char)[0])  # "é" is as wide as "e"
    return _WIDTHS[base - 32] if 32 <= base < 127 else _UNKNOWN


def num(value: float) -> str:
    """Write a coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


Value = str | float


class Canvas:
    """An <svg> element being filled in; each method adds one element and returns it."""

    def __init__(self, width: float, height: float) -> None:
        self.root = ET.Element(
            _tag("svg"), {"viewBox": f"0 0 {num(width)} {num(height)}", "version": "1.1"}
        )

    def group(self, into: ET.Element | None = None, **attrs: Value) -> ET.Element:
        """Add a <g>; attributes set on it (fill, font) are inherited by what it holds."""
        return self._add(into, "g", attrs)

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        *,
        into: ET.Element | None = None,
        **attrs: Value,
    ) -> ET.Element:
        place = {"x": x, "y": y, "width": width, "height": height}
        return self._add(into, "rect", {**place, **attrs})

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        into: ET.Element | None = None,
        **attrs: Value,
    ) -> ET.Element:
        return self._add(into, "line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, **attrs})

    def path(self, d: str, *, into: ET.Element | None = None, **attrs: Value) -> ET.Element:
        return self._add(into, "path", {"d": d, **attrs})

    def polyline(
        self,
        points: Iterable[tuple[float, float]],
        *,
        into: ET.Element | None = None,
        **attrs: Value,
    ) -> ET.Element:
        joined = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        return self._add(into, "polyline", {"points": joined, **attrs})

    def circle(
        self, cx: float, cy: float, r: float, *, into: ET.Element | None = None, **attrs: Value
    ) -> ET.Element:
        return self._add(into, "circle", {"cx": cx, "cy": cy, "r": r, **attrs})

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        into: ET.Element | None = None,
        **attrs: Value,
    ) -> ET.Element:
        """Add a <text> at baseline (x, y); ElementTree escapes the content when written."""
        element = self._add(into, "text", {"x": x, "y": y, **attrs})
        element.text = content
        return element

    def finish(self) -> ET.Element:
        """Return the <svg> element, one element a line, so snapshot diffs read line by line."""
        ET.indent(self.root, space=" ")
        return self.root

    def _add(self, into: ET.Element | None, name: str, attrs: dict[str, Value]) -> ET.Element:
        written = {
            key.replace("_", "-"): num(value) if isinstance(value, float | int) else value
            for key, value in attrs.items()
        }
        return ET.SubElement(self.root if into is None else into, _tag(name), written)


def _tag(name: str) -> str:
    return f"{{{SVG_NS}}}{name}"


class Font(TypedDict, total=False):
    """Text attributes, spelt as keyword arguments to the Canvas methods."""

    font_family: str
    font_size: str
    font_weight: str


def font(size: float, *, weight: str | None = None) -> Font:
    """Return the text attributes of the shared style at ``size`` points."""
    attrs = Font(font_family=FONT_STACK, font_size=f"{num(size)}px")
    if weight:
        attrs["font_weight"] = weight
    return attrs
