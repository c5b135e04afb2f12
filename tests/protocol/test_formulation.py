"""Problem-area suggestions over written vignettes, and the draft formulation."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openipt.protocol.errors import ProtocolError
from openipt.protocol.formulation import (
    EventFact,
    PersonFact,
    draft_formulation,
    suggest_areas,
)

from .vignettes import ONSET, VIGNETTES, Vignette


def test_it_has_at_least_twenty_vignettes_covering_every_area() -> None:
    assert len(VIGNETTES) >= 20
    covered = {area for v in VIGNETTES for area in v.expected}
    assert covered == {"grief", "role_dispute", "role_transition", "interpersonal_deficits"}
    assert any(not v.expected for v in VIGNETTES)
    assert any({"role_dispute", "role_transition"} <= set(v.expected) for v in VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v.name for v in VIGNETTES])
def test_it_suggests_the_expected_areas_in_order_s1_s43_s46(vignette: Vignette) -> None:
    found = suggest_areas(vignette.people, vignette.events, vignette.onset, vignette.settings)
    assert [str(s.area) for s in found] == vignette.expected
    if vignette.strengths:
        assert [str(s.strength) for s in found] == vignette.strengths
    for suggestion in found:
        assert suggestion.reasons and suggestion.sources
        assert any("may fit" in reason for reason in suggestion.reasons)


def test_it_asks_for_the_dispute_stage_s44() -> None:
    vignette = next(v for v in VIGNETTES if v.name == "dispute_overt_with_partner")
    (dispute,) = suggest_areas(vignette.people, vignette.events, vignette.onset)
    assert any("renegotiation, impasse or dissolution" in r for r in dispute.reasons)
    assert dispute.facts == ["person:p"]
    assert "S44" in dispute.sources


def test_it_reminds_to_pick_one_of_dispute_and_transition_s43() -> None:
    vignette = next(v for v in VIGNETTES if v.name == "separation_after_conflict")
    found = suggest_areas(vignette.people, vignette.events, vignette.onset)
    for suggestion in found:
        assert "S43" in suggestion.sources
        assert any("focus on only one" in r for r in suggestion.reasons)


def test_it_adds_the_deficits_prognosis_s46() -> None:
    vignette = next(v for v in VIGNETTES if v.name == "deficits_isolated")
    (deficits,) = suggest_areas(vignette.people, vignette.events, vignette.onset)
    assert any("poorer outcomes" in r for r in deficits.reasons)
    assert deficits.sources == ["S46"]


def test_it_refuses_a_person_id_used_twice() -> None:
    people = [PersonFact("x", "A", 1), PersonFact("x", "B", 2)]
    with pytest.raises(ProtocolError, match="used twice"):
        suggest_areas(people, [], ONSET)


def test_it_refuses_a_bad_ring_and_an_unknown_event_kind() -> None:
    with pytest.raises(ProtocolError, match="ring must be 1"):
        PersonFact("x", "A", 5)
    with pytest.raises(ProtocolError, match="Unknown event kind 'party'"):
        EventFact(ONSET, "party")


vignette_st = st.sampled_from(VIGNETTES)


@given(vignette_st, st.randoms(use_true_random=False))
def test_it_ignores_the_input_order(vignette: Vignette, rnd: random.Random) -> None:
    people, events = list(vignette.people), list(vignette.events)
    rnd.shuffle(people)
    rnd.shuffle(events)
    expected = suggest_areas(vignette.people, vignette.events, vignette.onset, vignette.settings)
    assert suggest_areas(people, events, vignette.onset, vignette.settings) == expected


def test_it_drafts_a_modest_grief_formulation_s3_s56() -> None:
    people = [PersonFact("m", "your mother", 1, "deceased")]
    events = [EventFact(dt.date(2024, 4, 10), "death", "m")]
    text = draft_formulation("grief", events, people, "Sam")
    assert text.startswith("Draft formulation for Sam.")
    assert "the death of your mother (2024-04-10)" in text
    assert "not your fault" in text
    assert "does not say what caused the depression" in text
    assert "first draft" in text
    for word in ("diagnos", "disorder", "caused by"):
        assert word not in text.lower()


def test_it_drafts_a_dispute_formulation_with_its_stage_s44() -> None:
    people = [PersonFact("p", "your partner", 1, conflict="overt", expectations_match=False)]
    text = draft_formulation("role_dispute", [], people, None, dispute_stage="impasse")
    assert "difficulties with your partner" in text
    assert "impasse stage" in text
    assert not text.startswith("Draft formulation for")


def test_it_drafts_without_context_when_none_is_recorded() -> None:
    text = draft_formulation("role_transition", [], [], None)
    assert "not yet linked your mood with particular events" in text


def test_it_refuses_to_draft_for_an_unknown_area() -> None:
    with pytest.raises(ProtocolError, match="Unknown problem area"):
        draft_formulation("anger", [], [], None)
