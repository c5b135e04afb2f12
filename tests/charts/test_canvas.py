"""The small SVG writer behind the score chart: numbers, text widths, escaping."""

from __future__ import annotations

from matplotlib import font_manager, ft2font

from openipt.charts import canvas
from openipt.charts.svg import finalise


def test_it_writes_numbers_with_at_most_two_decimals() -> None:
    assert [canvas.num(v) for v in (36.0, 51.84, 0.125, -0.001, 1e-9, 289.368)] == [
        "36",
        "51.84",
        "0.12",
        "0",
        "0",
        "289.37",
    ]


def test_it_measures_text_with_the_widths_of_dejavu_sans() -> None:
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    face = ft2font.FT2Font(path)
    for code in range(32, 127):
        glyph = face.load_char(code, flags=ft2font.LoadFlags.NO_SCALE)
        expected = glyph.horiAdvance / face.units_per_EM * 10  # points at 10 pt
        assert abs(canvas.text_width(chr(code), 10) - expected) < 0.006, chr(code)
    assert canvas.text_width("é", 10) == canvas.text_width("e", 10)
    assert canvas.text_width("19", 8.5, bold=True) > canvas.text_width("19", 8.5)


def test_it_escapes_text_and_attributes() -> None:
    drawing = canvas.Canvas(100, 50)
    drawing.text(1, 2, 'Paid $4 & <b>"x"</b>', fill="#1a1a1a")
    svg = finalise(drawing.finish(), title="A & B", desc="<desc>")
    assert 'Paid $4 &amp; &lt;b&gt;"x"&lt;/b&gt;' in svg
    assert "<title" in svg and "A &amp; B</title>" in svg and "&lt;desc&gt;</desc>" in svg
