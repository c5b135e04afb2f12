"""Demo data: faithful cases, one per way into a problem area, loaded once."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from openipt.interpersonal.demo import extend_demo
from openipt.interpersonal.models import InventorySnapshot, LifeEvent, Person
from openipt.interpersonal.support import suggestions_for
from tests.factories import make_client, make_course

pytestmark = pytest.mark.django_db

EXPECTED = {
    "DEMO-0001": ["role_dispute"],
    "DEMO-0002": ["grief"],
    "DEMO-0003": ["role_transition"],
    "DEMO-0004": ["interpersonal_deficits"],
    "DEMO-0005": ["role_transition", "role_dispute"],
}


@pytest.fixture
def demo_courses(cast):
    courses = {}
    for number in EXPECTED:
        client = make_client(therapist=cast.therapist, name=f"Demo {number}", record_number=number)
        courses[number] = make_course(
            client=client, planned_sessions=16, started_on=dt.date(2025, 3, 3)
        )
    return courses


def test_it_does_nothing_without_the_demo_courses(cast):
    summary = SimpleNamespace(notes=[])
    extend_demo(summary)
    assert summary.notes == [] and not Person.objects.exists()


def test_it_fills_each_demo_course_with_a_faithful_case(demo_courses):
    summary = SimpleNamespace(notes=[])
    extend_demo(summary)
    assert len(summary.notes) == 1
    for number, course in demo_courses.items():
        course.refresh_from_db()
        assert course.symptom_onset is not None
        assert [s.area for s in suggestions_for(course)] == EXPECTED[number], number
        assert InventorySnapshot.objects.filter(course=course, kind="intake").exists()


def test_it_is_idempotent(demo_courses):
    extend_demo(SimpleNamespace(notes=[]))
    counts = (Person.objects.count(), LifeEvent.objects.count())
    summary = SimpleNamespace(notes=[])
    extend_demo(summary)
    assert (Person.objects.count(), LifeEvent.objects.count()) == counts
    assert summary.notes == []


def test_it_takes_a_termination_circle_for_an_ended_course(demo_courses):
    from openipt.courses.models import Course

    ended = demo_courses["DEMO-0002"]
    Course.objects.filter(pk=ended.pk).update(status="ended", ended_on=dt.date(2025, 6, 30))
    extend_demo(SimpleNamespace(notes=[]))
    intake = InventorySnapshot.objects.get(course=ended, kind="intake")
    ending = InventorySnapshot.objects.get(course=ended, kind="termination")
    ring = {row["label"]: row["ring"] for row in intake.people}
    assert ring["Kwame"] == 2
    assert {row["label"]: row["ring"] for row in ending.people}["Kwame"] == 1


def test_it_writes_a_formulation_when_the_course_has_a_focus(cast, demo_courses):
    from openipt.courses.models import Focus
    from openipt.interpersonal.models import Formulation

    course = demo_courses["DEMO-0002"]
    Focus.objects.create(
        course=course, area="grief", chosen_on=dt.date(2025, 3, 17), recorded_by=cast.therapist
    )
    extend_demo(SimpleNamespace(notes=[]))
    formulation = Formulation.objects.get(course=course)
    assert formulation.area == "grief"
    assert "the death of Dad" in formulation.text
    assert formulation.shared_on == dt.date(2025, 3, 24)
