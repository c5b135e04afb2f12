"""Scoring: worked examples per instrument, and answers refused with item-named messages."""

from __future__ import annotations

import dataclasses

import pytest

from openipt.measures import AnswerError, get_instrument, risk_items_in, score


def _phq9(*values: object, **extra: object) -> dict[str, object]:
    answers = {str(n): v for n, v in enumerate(values, start=1)}
    answers.update({k.removeprefix("i"): v for k, v in extra.items()})
    return answers


def _problems(instrument: str, answers: dict[object, object]) -> list[tuple[str, str]]:
    with pytest.raises(AnswerError) as caught:
        score(get_instrument(instrument), answers)  # type: ignore[arg-type]
    return [(p.item_id, p.message) for p in caught.value.problems]


def test_it_scores_a_worked_phq9_example():
    result = score(get_instrument("phq9"), _phq9(1, 1, 2, 2, 1, 0, 1, 1, 0, i10=1))
    assert result.total == 9
    assert (result.band, result.band_label) == ("mild", "Mild")
    assert result.risk_items == () and result.flags == () and result.percentage is None
    assert result.answers["10"] == 1  # stored, but not in the total
    assert (result.instrument, result.version) == ("phq9", "1.0")


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
     (14, "moderate"), (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"),
     (27, "severe")],
)  # fmt: skip
def test_it_bands_phq9_totals_at_every_cut_point(total, band):
    values = [min(3, max(0, total - 3 * k)) for k in range(9)]  # item 1 fills first
    result = score(get_instrument("phq9"), _phq9(*values))
    assert (result.total, result.band) == (total, band)


def test_it_flags_phq9_item_9_at_any_level_above_zero():
    phq9 = get_instrument("phq9")
    assert score(phq9, _phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)).risk_items == ("9",)
    assert score(phq9, _phq9(3, 3, 3, 3, 3, 3, 3, 3, 0)).risk_items == ()


def test_it_scores_a_worked_gad7_example():
    result = score(get_instrument("gad7"), dict(zip("1234567", [2, 1, 2, 1, 0, 1, 1], strict=True)))
    assert (result.total, result.band) == (8, "mild")
    assert result.risk_items == ()


def test_it_scores_who5_with_percentage_and_screening_flags():
    who5 = get_instrument("who5")
    fine = score(who5, dict(zip("12345", [3, 3, 3, 2, 2], strict=True)))
    assert (fine.total, fine.percentage, fine.band, fine.flags) == (13, 52, "not_poor", ())
    low_item = score(who5, dict(zip("12345", [5, 5, 5, 5, 1], strict=True)))
    assert (low_item.total, low_item.percentage, low_item.flags) == (21, 84, ("low_item",))
    poor = score(who5, dict(zip("12345", [2, 2, 2, 3, 3], strict=True)))
    assert (poor.total, poor.percentage, poor.band) == (12, 48, "poor")
    assert poor.flags == ("low_total",)
    assert poor.risk_items == ()  # a screening flag is not a suicide-risk item


def test_it_scores_phq2_without_a_band():
    result = score(get_instrument("phq2"), {"1": 2, "2": 3})
    assert (result.total, result.band, result.band_label) == (5, None, None)


def test_it_refuses_booleans_even_though_they_are_ints():
    problems = _problems("phq9", _phq9(True, False, 0, 0, 0, 0, 0, 0, 0))
    assert problems == [
        ("1", "Item 1: answer must be one of 0, 1, 2, 3; got a true/false value"),
        ("2", "Item 2: answer must be one of 0, 1, 2, 3; got a true/false value"),
    ]


def test_it_refuses_strings_floats_and_out_of_range_values():
    problems = _problems("phq9", _phq9(0, 0, "2", 2.0, 4, -1, 0, 0, 0))
    assert problems == [
        ("3", "Item 3: answer must be one of 0, 1, 2, 3; got text '2'"),
        ("4", "Item 4: answer must be one of 0, 1, 2, 3; got a float (2.0)"),
        ("5", "Item 5: answer must be one of 0, 1, 2, 3; got 4"),
        ("6", "Item 6: answer must be one of 0, 1, 2, 3; got -1"),
    ]


def test_it_refuses_missing_and_none_required_items():
    answers = _phq9(0, 0, 0, 0, 0, 0, 0, None)  # item 8 None, item 9 absent
    assert _problems("phq9", answers) == [
        ("8", "Item 8: an answer is required"),
        ("9", "Item 9: an answer is required"),
    ]


def test_it_refuses_unknown_item_ids():
    answers: dict[object, object] = dict(_phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
    answers["11"] = 1
    answers[3] = 1  # an int key is not the string id "3"
    problems = _problems("phq9", answers)
    assert [p[0] for p in problems] == ["11", "3"]
    assert problems[0][1].startswith("Item 11: not an item of PHQ-9")


def test_it_refuses_an_unknown_item_even_when_its_answer_is_none():
    assert [p[0] for p in _problems("gad7", {**{str(n): 0 for n in range(1, 8)}, "8": None})] == [
        "8"
    ]


def test_it_accepts_an_optional_item_left_blank_but_checks_it_when_given():
    phq9 = get_instrument("phq9")
    assert "10" not in score(phq9, _phq9(0, 0, 0, 0, 0, 0, 0, 0, 0, i10=None)).answers
    assert _problems("phq9", _phq9(0, 0, 0, 0, 0, 0, 0, 0, 0, i10="1")) == [
        ("10", "Item 10: answer must be one of 0, 1, 2, 3; got text '1'")
    ]


def test_it_reports_every_problem_at_once():
    with pytest.raises(AnswerError) as caught:
        score(get_instrument("gad7"), {"1": True, "2": "x", "9": 1})
    assert len(caught.value.problems) == 1 + 1 + 1 + 5  # unknown 9, two bad, five missing
    assert "Item 1: answer must be one of 0, 1, 2, 3" in str(caught.value)


def test_it_finds_a_risk_answer_on_an_otherwise_invalid_form():
    phq9 = get_instrument("phq9")
    assert risk_items_in(phq9, {"9": 2, "3": "x"}) == ["9"]
    assert risk_items_in(phq9, {"9": 1}) == ["9"]
    assert risk_items_in(phq9, {"9": 0, "1": 3}) == []


def test_it_counts_only_a_valid_int_for_a_risk_item():
    phq9 = get_instrument("phq9")
    for bad in (True, "3", 3.0, 4, None, -1):
        assert risk_items_in(phq9, {"9": bad}) == [], bad


def test_it_returns_an_immutable_score():
    result = score(get_instrument("phq2"), {"1": 0, "2": 0})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 3  # type: ignore[misc]
