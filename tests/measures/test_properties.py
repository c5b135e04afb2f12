"""Properties that must hold for any answers, any bands and any pair of scores."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openipt.measures import OutcomeSettings, all_instruments, get_instrument, risk_items_in, score
from openipt.measures.change import rci, reliable_change
from openipt.measures.schema import Instrument

CODES = [inst.code for inst in all_instruments()]


@st.composite
def answers(draw: Any, code: str) -> dict[str, int]:
    inst = get_instrument(code)
    return {
        item.id: draw(st.sampled_from(item.values()))
        for item in inst.items
        if item.required or draw(st.booleans())
    }


@pytest.mark.parametrize("code", CODES)
@given(data=st.data())
def test_it_keeps_totals_in_range_and_banded(code, data):
    inst = get_instrument(code)
    result = score(inst, data.draw(answers(code)))
    assert inst.total.min <= result.total <= inst.total.max
    assert (result.band is None) == (not inst.bands)
    assert result.risk_items == tuple(risk_items_in(inst, result.answers))


@pytest.mark.parametrize("code", CODES)
@given(data=st.data())
def test_it_never_lowers_the_total_when_one_answer_rises(code, data):
    inst = get_instrument(code)
    given_answers = data.draw(answers(code))
    item = data.draw(st.sampled_from(inst.scored_items))
    higher = data.draw(st.sampled_from([v for v in item.values() if v >= given_answers[item.id]]))
    before = score(inst, given_answers).total
    after = score(inst, {**given_answers, item.id: higher}).total
    assert after >= before


@pytest.mark.parametrize("code", CODES)
def test_it_puts_every_possible_total_in_exactly_one_band(code):
    inst = get_instrument(code)
    for total in range(inst.total.min, inst.total.max + 1):
        holding = [b for b in inst.bands if b.min <= total <= b.max]
        assert len(holding) == (1 if inst.bands else 0), (code, total)


def _with_bands(cuts: list[int], high: int) -> dict[str, Any]:
    edges = [0, *cuts, high + 1]
    bands = [
        {"code": f"b{n}", "label": f"B{n}", "min": lo, "max": hi - 1, "sources": ["S1"]}
        for n, (lo, hi) in enumerate(itertools.pairwise(edges))
    ]
    options = [{"value": v, "label": str(v)} for v in range(high + 1)]
    return {
        "code": "gen", "version": "1.0", "name": "Generated", "description": "Generated.",
        "direction": "higher_is_worse",
        "items": [{"id": "1", "text": "Q", "options": options, "sources": ["S1"]}],
        "total": {"min": 0, "max": high}, "bands": bands,
        "licence": "Test.", "attribution": "Test.", "sources": ["S1"],
    }  # fmt: skip


@given(st.integers(2, 30).flatmap(lambda high: st.tuples(
    st.just(high), st.lists(st.integers(1, high), unique=True).map(sorted))))  # fmt: skip
def test_it_accepts_any_contiguous_bands(case):
    high, cuts = case
    inst = Instrument.model_validate(_with_bands(cuts, high))
    covered = [inst.band_for(t) for t in range(high + 1)]
    assert all(band is not None for band in covered)


@given(st.integers(3, 30), st.integers(1, 2), st.data())
def test_it_refuses_bands_with_a_gap_or_overlap(high, shift, data):
    bands_data = _with_bands([high // 2], high)
    band = bands_data["bands"][1]
    band["min"] += data.draw(st.sampled_from([shift, -shift]))
    with pytest.raises(ValueError, match=r"gap|overlap"):
        Instrument.model_validate(bands_data)


@given(
    st.integers(0, 27),
    st.integers(0, 27),
    st.floats(0.5, 20),
    st.floats(0.0, 0.99),
)
def test_it_makes_rci_antisymmetric(pre, post, sd, r):
    assert rci(pre, post, sd, r) == pytest.approx(-rci(post, pre, sd, r))
    assert (rci(pre, post, sd, r) < 0) == (post < pre)


MIRROR = {"improved": "deteriorated", "deteriorated": "improved"}


@given(st.integers(0, 25), st.integers(0, 25), st.booleans())
def test_it_mirrors_reliable_change_by_order_and_direction(pre, post, use_rci):
    settings = OutcomeSettings(
        reliable_change_thresholds={"who5": 6},  # as the PHQ-9, so the two mirror
        sd_pre={"phq9": 5.0, "who5": 5.0} if use_rci else {},
        reliability={"who5": 0.89},
    )
    phq9, who5 = get_instrument("phq9"), get_instrument("who5")
    forward = reliable_change(phq9, pre, post, settings)
    assert forward is not None
    assert reliable_change(phq9, post, pre, settings) == MIRROR.get(forward, forward)
    # The same numbers on a higher-is-better scale mean the opposite.
    assert reliable_change(who5, pre, post, settings) == MIRROR.get(forward, forward)
