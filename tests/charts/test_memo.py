"""Stored charts: a repeated call returns the same bytes without drawing again."""

from __future__ import annotations

import datetime

from openipt.charts import MoodEntry, memo, mood_chart


def test_it_draws_once_for_equal_inputs_and_again_for_different_ones():
    calls = []

    @memo.memoized_svg
    def chart(values, *, title):
        calls.append(values)
        return f"<svg>{title}{values}</svg>"

    assert chart([1, 2], title="a") == chart([1, 2], title="a")
    assert chart([1, 3], title="a") != chart([1, 2], title="a")
    assert chart([1, 2], title="b") == "<svg>b[1, 2]</svg>"
    assert calls == [[1, 2], [1, 3], [1, 2]]


def test_it_keeps_a_bounded_number_of_charts(monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
    calls = []

    @memo.memoized_svg
    def chart(n):
        calls.append(n)
        return str(n)

    for n in (1, 2, 3, 4, 1):
        chart(n)
    assert calls == [1, 2, 3, 4, 1]  # 1 was dropped when 4 came in


def test_a_stored_chart_is_byte_identical_to_a_fresh_one():
    day = datetime.date(2026, 3, 2)
    entries = [MoodEntry(day + datetime.timedelta(days=n), 3 + n % 5, n % 3) for n in range(10)]
    kept = mood_chart(entries, title="Mood")
    mood_chart.cache_clear()  # type: ignore[attr-defined]
    assert mood_chart(entries, title="Mood") == kept


def test_a_chart_keeps_svg_as_its_default_namespace_after_a_pdf_was_written():
    """WeasyPrint registers ElementTree prefixes of its own; a page must still get <svg>."""
    import weasyprint

    weasyprint.HTML(string="<p>letter</p>").write_pdf()
    mood_chart.cache_clear()  # type: ignore[attr-defined]
    svg = mood_chart([MoodEntry(datetime.date(2026, 3, 2), 4, 1)], title="Mood")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "ns0:" not in svg
