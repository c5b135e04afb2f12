"""Outcome charts: the same bytes for the same data, accessible, and safe to inline."""

from __future__ import annotations

import re

import pytest

from openipt.insights.charts import count_chart, rate_chart

MONTHS = ["Jan 2026", "Feb 2026", "Mar 2026"]
RATES = [("Recovery", [50.0, "hidden", None]), ("Reliable improvement", [66.7, 70, 0])]


@pytest.mark.parametrize("across", [True, False])
def test_it_draws_the_same_bytes_every_time(across):
    first = rate_chart(MONTHS, RATES, title="Rates", subtitle="Per cent.", across=across)
    again = rate_chart(MONTHS, RATES, title="Rates", subtitle="Per cent.", across=across)
    assert first == again
    counts = count_chart(MONTHS, [3, "hidden", 12], title="N", subtitle="n.", across=across)
    assert counts == count_chart(MONTHS, [3, "hidden", 12], title="N", subtitle="n.", across=across)


def test_it_is_an_accessible_image_without_inline_css():
    svg = count_chart(MONTHS, [3, "hidden", 1200], title="Finished", subtitle="n.", across=True)
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title" in svg and ">Finished</title>" in svg
    assert "style=" not in svg and "<style" not in svg
    assert "<script" not in svg


def test_it_says_every_value_in_words_and_never_draws_a_hidden_one_as_zero():
    svg = count_chart(["Grief", "Role dispute"], [7, "hidden"], title="F", subtitle="By area.",
                      across=False)  # fmt: skip
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "Grief: 7" in desc and "Role dispute: hidden" in desc
    assert "hidden" in re.sub(r"<desc.*?</desc>", "", svg, flags=re.S)
    rates = rate_chart(MONTHS, RATES, title="R", subtitle="Per cent.", across=True)
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", rates, re.S).group(1)
    assert "Jan 2026: Recovery 50%, Reliable improvement 66.7%" in desc
    assert "Feb 2026: Recovery hidden" in desc
    assert "Mar 2026: Recovery no data, Reliable improvement 0%" in desc


def test_it_keeps_labels_as_text():
    svg = rate_chart(["Brief IPT (IPT-B)"], [("Recovery", [40])], title="R", subtitle="s",
                     across=False)  # fmt: skip
    assert "Brief IPT (IPT-B)" in svg
    assert "<path" in svg


def test_it_refuses_more_series_than_it_can_tell_apart():
    with pytest.raises(ValueError):
        rate_chart(MONTHS, RATES * 2, title="R", subtitle="s", across=True)


def test_it_draws_an_empty_report():
    svg = count_chart([], [], title="None", subtitle="Nothing yet.", across=True)
    assert 'role="img"' in svg
