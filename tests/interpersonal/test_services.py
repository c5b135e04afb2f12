"""Services: every write validated, checked for the therapist, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openipt.interpersonal import services
from openipt.interpersonal.models import Formulation, InventorySnapshot, LifeEvent, Person

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> dict:
    return error.message_dict


def test_it_adds_a_person_with_only_a_label_and_a_ring(cast, course):
    person = services.add_person(cast.therapist, course, label="  Mum ", ring=1)
    assert (person.label, person.ring, person.status, person.conflict) == (
        "Mum",
        1,
        "present",
        "none",
    )
    assert person.expectations_match == "unclear"
    assert person.support == ""


@pytest.mark.parametrize("ring", [0, 5, -1, True, "2", 2.0, None])
def test_it_refuses_a_ring_outside_1_to_4(cast, course, ring):
    with pytest.raises(ValidationError) as caught:
        services.add_person(cast.therapist, course, label="Mum", ring=ring)
    assert messages(caught.value)["ring"] == ["Choose a ring from 1 (closest) to 4 (furthest)."]
    assert not Person.objects.exists()


def test_it_refuses_a_missing_label_and_unknown_fields(cast, course):
    with pytest.raises(ValidationError) as caught:
        services.add_person(cast.therapist, course, label="   ", ring=2)
    assert "label" in messages(caught.value)
    with pytest.raises(ValidationError, match="Unknown fields: age"):
        services.add_person(cast.therapist, course, label="A", ring=2, age=40)


def test_it_refuses_bad_choices_and_control_characters(cast, course):
    with pytest.raises(ValidationError) as caught:
        services.add_person(cast.therapist, course, label="A", ring=2, status="gone")
    assert "status" in messages(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.add_person(cast.therapist, course, label="A\x00", ring=2)
    assert "control character" in messages(caught.value)["label"][0]


def test_it_leaves_a_person_untouched_when_a_change_is_refused(cast, course):
    person = services.add_person(cast.therapist, course, label="Sam", ring=2)
    with pytest.raises(ValidationError):
        services.update_person(cast.therapist, person, label="Samuel", ring=9)
    person.refresh_from_db()
    assert (person.label, person.ring) == ("Sam", 2)
    changed = services.update_person(cast.therapist, person, ring=3, conflict="overt")
    assert (changed.ring, changed.conflict) == (3, "overt")


@pytest.mark.parametrize("actor", ["supervisor", "outsider", "client_user", "admin"])
def test_it_lets_only_the_courses_therapist_write(cast, course, actor):
    user = getattr(cast, actor)
    with pytest.raises(PermissionDenied):
        services.add_person(user, course, label="A", ring=1)
    with pytest.raises(PermissionDenied):
        services.add_event(user, course, date=dt.date(2024, 9, 1), kind="move")
    with pytest.raises(PermissionDenied):
        services.set_symptom_onset(user, course, dt.date(2024, 9, 1))
    with pytest.raises(PermissionDenied):
        services.save_formulation(user, course, text="x")


def test_it_refuses_an_event_dated_in_the_future(cast, course):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.add_event(cast.therapist, course, date=tomorrow, kind="move")
    assert messages(caught.value) == {"date": ["The event date cannot be in the future."]}
    assert not LifeEvent.objects.exists()
    today = services.add_event(cast.therapist, course, date=timezone.localdate(), kind="move")
    assert today.pk


def test_it_refuses_a_person_from_another_course(cast, course, other_course):
    stranger = services.add_person(cast.outsider, other_course, label="Olga's friend", ring=1)
    with pytest.raises(ValidationError) as caught:
        services.add_event(
            cast.therapist, course, date=dt.date(2024, 9, 1), kind="death", person_id=stranger.pk
        )
    assert "inventory" in messages(caught.value)["person_id"][0]
    with pytest.raises(ValidationError):
        services.add_event(
            cast.therapist, course, date=dt.date(2024, 9, 1), kind="death", person=stranger
        )
    assert not LifeEvent.objects.filter(course=course).exists()


def test_it_links_and_unlinks_an_event_and_keeps_it_when_the_person_goes(cast, course):
    mum = services.add_person(cast.therapist, course, label="Mum", ring=1, status="deceased")
    event = services.add_event(
        cast.therapist,
        course,
        date=dt.date(2024, 8, 1),
        kind="death",
        person_id=mum.pk,
        description=" Mum died ",
    )
    assert (event.person, event.description) == (mum, "Mum died")
    assert event.label == "Mum died"
    assert services.update_event(cast.therapist, event, description="").label == "Death (Mum)"
    services.delete_person(cast.therapist, mum)
    event.refresh_from_db()
    assert event.person is None
    moved = services.update_event(cast.therapist, event, kind="other", person_id=None)
    assert moved.kind == "other"


def test_it_refuses_an_unknown_event_kind(cast, course):
    with pytest.raises(ValidationError) as caught:
        services.add_event(cast.therapist, course, date=dt.date(2024, 1, 1), kind="party")
    assert "kind" in messages(caught.value)


def test_it_records_and_refuses_the_symptom_onset(cast, course):
    services.set_symptom_onset(cast.therapist, course, dt.date(2024, 11, 2))
    course.refresh_from_db()
    assert course.symptom_onset == dt.date(2024, 11, 2)
    with pytest.raises(ValidationError) as caught:
        services.set_symptom_onset(
            cast.therapist, course, timezone.localdate() + dt.timedelta(days=3)
        )
    assert messages(caught.value) == {
        "symptom_onset": ["The symptom onset cannot be in the future."]
    }
    course.refresh_from_db()
    assert course.symptom_onset == dt.date(2024, 11, 2)
    services.set_symptom_onset(cast.therapist, course, None)
    course.refresh_from_db()
    assert course.symptom_onset is None


def test_it_keeps_a_snapshot_apart_from_later_edits(cast, course):
    with pytest.raises(ValidationError, match="at least one person"):
        services.take_snapshot(cast.therapist, course, "intake")
    mum = services.add_person(cast.therapist, course, label="Mum", ring=2, conflict="covert")
    intake = services.take_snapshot(cast.therapist, course, "intake")
    services.update_person(cast.therapist, mum, ring=1, conflict="none")
    intake.refresh_from_db()
    assert intake.people[0]["ring"] == 2
    assert intake.people[0]["conflict"] == "covert"
    again = services.take_snapshot(cast.therapist, course, "intake")
    assert again.pk == intake.pk
    assert again.people[0]["ring"] == 1
    assert InventorySnapshot.objects.count() == 1
    with pytest.raises(ValidationError):
        services.take_snapshot(cast.therapist, course, "middle")


def test_it_saves_a_formulation_and_checks_the_sharing(cast, course):
    with pytest.raises(ValidationError) as caught:
        services.save_formulation(cast.therapist, course, text="", shared_on=dt.date(2025, 1, 7))
    assert "text" in messages(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.save_formulation(cast.therapist, course, text="T", client_response="Fits")
    assert "shared_on" in messages(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.save_formulation(
            cast.therapist, course, text="T", shared_on=timezone.localdate() + dt.timedelta(1)
        )
    assert "shared_on" in messages(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.save_formulation(cast.therapist, course, text="T", area="anger")
    assert "area" in messages(caught.value)
    assert not Formulation.objects.exists()
    saved = services.save_formulation(
        cast.therapist,
        course,
        text=" Text ",
        area="grief",
        shared_on=dt.date(2025, 1, 7),
        client_response="She agreed.",
    )
    assert (saved.text, saved.area, saved.updated_by) == ("Text", "grief", cast.therapist)
    again = services.save_formulation(cast.therapist, course, text="New", area=None)
    assert again.pk == saved.pk
    assert (again.text, again.area, again.shared_on) == ("New", "", dt.date(2025, 1, 7))
