"""Turn matplotlib's SVG into an accessible, inline-ready, CSP-friendly SVG string."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET  # parses only SVG we rendered ourselves

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

# CSS properties matplotlib writes that are also SVG presentation attributes. Moving them
# out of style="" lets pages keep a strict Content-Security-Policy (no 'unsafe-inline').
PRESENTATION = frozenset(
    {
        "clip-path",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
    }
)
FONT_FALLBACK = ", Verdana, Arial, sans-serif"


def finalise(raw: str | ET.Element, *, title: str, desc: str) -> str:
    """Return the SVG with role, title, desc and fluid width; drop what breaks inlining.

    ``raw`` is matplotlib's SVG text, or the <svg> element of a chart written directly
    (`canvas.Canvas`), which is used as it is rather than written out and parsed again.
    """
    if isinstance(raw, str):
        root = ET.fromstring(raw[raw.index("<svg") :])  # noqa: S314 - our own output
        _drop_metadata_and_css(root)
        for element in root.iter():
            _move_style_to_attributes(element)
    else:
        root = raw
    for name in ("width", "height", "id"):
        root.attrib.pop(name, None)
    body = _serialise(root)
    chart_id = "chart-" + hashlib.sha256((title + desc + body).encode()).hexdigest()[:12]
    _scope_ids(root, chart_id)

    root.set("id", chart_id)
    root.set("width", "100%")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    title_el = ET.Element(f"{{{SVG_NS}}}title", id=f"{chart_id}-title")
    title_el.text = title
    title_el.tail = "\n "
    desc_el = ET.Element(f"{{{SVG_NS}}}desc", id=f"{chart_id}-desc")
    desc_el.text = desc
    desc_el.tail = "\n "
    root.insert(0, desc_el)
    root.insert(0, title_el)
    root.text = "\n "
    return _serialise(root) + "\n"


def _serialise(root: ET.Element) -> str:
    """Write the tree with SVG as the default namespace and the `xlink` prefix.

    ElementTree's prefixes are global: another library (WeasyPrint, when it writes a PDF's
    metadata) may register its own, after which a plain `tostring` writes `ns0:svg`, which
    no HTML page draws. So the prefixes are stated here, at every call.
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="unicode")


def _drop_metadata_and_css(root: ET.Element) -> None:
    # The global "*{...}" rule would leak onto the whole HTML page when inlined.
    for child in list(root):
        if child.tag == f"{{{SVG_NS}}}metadata":
            root.remove(child)
        elif child.tag == f"{{{SVG_NS}}}defs":
            for style in child.findall(f"{{{SVG_NS}}}style"):
                child.remove(style)
            if len(child) == 0:
                root.remove(child)


def _move_style_to_attributes(element: ET.Element) -> None:
    style = element.attrib.get("style")
    if style is None:
        return
    kept = []
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name in PRESENTATION:
            if name == "font-family":
                value += FONT_FALLBACK
            element.set(name, value)
        else:
            kept.append(f"{name}: {value}")
    if kept:
        element.set("style", "; ".join(kept))
    else:
        del element.attrib["style"]


_REFERENCE = re.compile(r"url\(#([^)]+)\)")


def _scope_ids(root: ET.Element, chart_id: str) -> None:
    """Drop unused ids and prefix the rest, so two charts on one page never share an id."""
    href = f"{{{XLINK_NS}}}href"
    used: set[str] = set()
    for element in root.iter():
        for name, value in element.attrib.items():
            if name == href and value.startswith("#"):
                used.add(value[1:])
            used.update(_REFERENCE.findall(value))
    for element in root.iter():
        old = element.attrib.get("id")
        if old is not None and old not in used:
            del element.attrib["id"]
        elif old is not None:
            element.set("id", f"{chart_id}-{old}")
        for name, value in list(element.attrib.items()):
            if name == href and value.startswith("#"):
                element.set(name, f"#{chart_id}-{value[1:]}")
            elif "url(#" in value:
                element.set(name, _REFERENCE.sub(rf"url(#{chart_id}-\1)", value))
