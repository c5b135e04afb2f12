"""Every PHQ-9 and GAD-7 answer combination against a reference written independently here.

The reference hard-codes the published cut points (PHQ-9 5/10/15/20 [S57]; GAD-7 5/10/15
[S67]) and the item-9 rule rather than reading the instrument files, so a wrong file or a
wrong scorer shows up as a mismatch.
"""

from __future__ import annotations

import itertools

import pytest

from openipt.measures import get_instrument, score

pytestmark = pytest.mark.slow

PHQ9_IDS = ("1", "2", "3", "4", "5", "6", "7", "8", "9")
GAD7_IDS = ("1", "2", "3", "4", "5", "6", "7")


def reference_phq9(values: tuple[int, ...]) -> tuple[int, str, bool]:
    total = 0
    for value in values:
        total += value
    if total >= 20:
        band = "severe"
    elif total >= 15:
        band = "moderately_severe"
    elif total >= 10:
        band = "moderate"
    elif total >= 5:
        band = "mild"
    else:
        band = "minimal"
    return total, band, values[8] > 0


def reference_gad7(values: tuple[int, ...]) -> tuple[int, str]:
    total = sum(values)
    band = (
        "minimal" if total < 5 else "mild" if total < 10 else "moderate" if total < 15 else "severe"
    )
    return total, band


def test_it_matches_the_reference_for_all_262144_phq9_answer_sets():
    phq9 = get_instrument("phq9")
    combos = 0
    for values in itertools.product(range(4), repeat=9):
        result = score(phq9, dict(zip(PHQ9_IDS, values, strict=True)))
        total, band, risk = reference_phq9(values)
        assert (result.total, result.band, result.risk_items == ("9",)) == (total, band, risk), (
            values
        )
        combos += 1
    assert combos == 4**9 == 262_144


def test_it_matches_the_reference_for_all_16384_gad7_answer_sets():
    gad7 = get_instrument("gad7")
    combos = 0
    for values in itertools.product(range(4), repeat=7):
        result = score(gad7, dict(zip(GAD7_IDS, values, strict=True)))
        assert (result.total, result.band) == reference_gad7(values), values
        assert result.risk_items == ()
        combos += 1
    assert combos == 4**7 == 16_384
