"""Rows -> protocol facts -> suggestions: the mapping is right, end to end, in a fixed order.

The rules themselves are tested on the written vignettes in tests/protocol; here every
vignette is stored as real rows and read back through the app, so a mistake in the mapping
(a ring, a status, expectations, support, an event's person) shows up as a wrong area.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from openipt.interpersonal import services
from openipt.interpersonal.models import Person
from openipt.interpersonal.support import (
    draft_for,
    formulation_settings,
    person_fact,
    suggestions_for,
    timing_words,
)
from tests.factories import make_course
from tests.interpersonal.conftest import START
from tests.protocol.vignettes import VIGNETTES, Vignette

pytestmark = pytest.mark.django_db

MATCH = {True: "yes", False: "no", None: "unclear"}


def store(cast, vignette: Vignette, *, reverse: bool = False):
    """Store a vignette as a course with people and events, optionally in reverse order."""
    course = make_course(
        client=cast.client, planned_sessions=16, started_on=START, symptom_onset=vignette.onset
    )
    ids = {}
    people = list(reversed(vignette.people)) if reverse else vignette.people
    for fact in people:
        person = services.add_person(
            cast.therapist, course, label=fact.label, ring=fact.ring, status=str(fact.status),
            conflict=str(fact.conflict), expectations_match=MATCH[fact.expectations_match],
            support=str(fact.support) if fact.support else "",
        )  # fmt: skip
        ids[fact.id] = person.pk
    events = list(reversed(vignette.events)) if reverse else vignette.events
    for fact in events:
        services.add_event(
            cast.therapist, course, date=fact.date, kind=str(fact.kind),
            person_id=ids[fact.person_id] if fact.person_id else None,
            description=fact.description,
        )  # fmt: skip
    return course, ids


def overrides(vignette: Vignette) -> dict:
    if vignette.settings is None:
        return {}
    return {"OPENIPT_FORMULATION_PROXIMITY_DAYS": vignette.settings.proximity_days}


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v.name for v in VIGNETTES])
def test_it_suggests_what_the_vignette_expects_from_stored_rows(cast, vignette):
    course, _ = store(cast, vignette)
    with override_settings(**overrides(vignette)):
        found = suggestions_for(course)
    assert [s.area for s in found] == vignette.expected
    if vignette.strengths:
        assert [s.strength for s in found] == vignette.strengths


@pytest.mark.parametrize(
    "name", ["grief_mother_died", "mixed_dispute_and_transition_tie", "grief_and_transition"]
)
def test_it_names_the_stored_facts_and_ignores_row_order(cast, name):
    vignette = next(v for v in VIGNETTES if v.name == name)
    course, ids = store(cast, vignette)
    again, _ = store(cast, vignette, reverse=True)
    first = suggestions_for(course)
    second = suggestions_for(again)
    assert [(s.area, s.strength, s.reasons, s.sources) for s in first] == [
        (s.area, s.strength, s.reasons, s.sources) for s in second
    ]
    assert [[u.text for u in s.used] for s in first] == [[u.text for u in s.used] for s in second]
    for suggestion in first:
        for ref in suggestion.facts:
            if ref.startswith("person:"):
                assert int(ref.split(":")[1]) in ids.values()
        assert suggestion.sources and all(tag.startswith("S") for tag in suggestion.sources)
        assert all("may fit" in r or "stage" in r or "only one" in r or "poorer" in r
                   for r in suggestion.reasons)  # fmt: skip


def test_it_describes_the_grief_facts_in_words(cast):
    vignette = next(v for v in VIGNETTES if v.name == "grief_mother_died")
    course, _ = store(cast, vignette)
    (grief,) = suggestions_for(course)
    assert grief.label == "Grief"
    assert grief.strength_label == "Stronger fit"
    assert [u.text for u in grief.used] == [
        "Mum (ring 1, deceased)",
        "Death on 2024-04-10 (Mum)",
    ]
    assert grief.sources == ["S1", "S2"]


def test_it_maps_every_field_the_rules_read(cast, course):
    person = services.add_person(
        cast.therapist, course, label="Pat", ring=3, status="estranged", conflict="covert",
        expectations_match="no", support="practical",
    )  # fmt: skip
    fact = person_fact(person)
    assert (fact.id, fact.label, fact.ring) == (str(person.pk), "Pat", 3)
    assert (str(fact.status), str(fact.conflict), str(fact.support)) == (
        "estranged",
        "covert",
        "practical",
    )
    assert fact.expectations_match is False
    bare = person_fact(services.add_person(cast.therapist, course, label="Kim", ring=1))
    assert bare.expectations_match is None and bare.support is None


@override_settings(
    OPENIPT_FORMULATION_PROXIMITY_DAYS=30,
    OPENIPT_FORMULATION_CLOSE_RINGS=[1],
    OPENIPT_FORMULATION_FEW_CLOSE_MAX=2,
)
def test_it_reads_the_formulation_settings():
    settings = formulation_settings()
    assert (settings.proximity_days, settings.close_rings, settings.few_close_max) == (30, (1,), 2)


@override_settings(OPENIPT_PROBLEM_AREA_NAMING="who_lay")
def test_it_labels_areas_in_the_services_naming_scheme(cast):
    vignette = next(v for v in VIGNETTES if v.name == "transition_moved_city")
    course, _ = store(cast, vignette)
    assert suggestions_for(course)[0].label == "Life changes"


def test_it_drafts_from_stored_rows(cast):
    vignette = next(v for v in VIGNETTES if v.name == "grief_mother_died")
    course, _ = store(cast, vignette)
    people = list(Person.objects.filter(course=course))
    text = draft_for(course, "grief", people, list(course.life_events.all()))
    assert text.startswith("Draft formulation for Carla.")
    assert "the death of Mum (2024-04-10)" in text


def test_it_words_the_timing_against_onset():
    onset = dt.date(2024, 6, 1)
    assert timing_words(dt.date(2024, 5, 31), onset) == "1 day before onset"
    assert timing_words(dt.date(2024, 6, 11), onset) == "10 days after onset"
    assert timing_words(onset, onset) == "At onset"
    assert timing_words(onset, None) == ""
