"""Pages: who may see and change them, what they show, and that lists stay flat in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openipt.interpersonal import services
from openipt.interpersonal.models import Formulation, LifeEvent, Person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PAGES = ["inventory", "circle", "timeline", "formulation"]
WRITES = [
    ("person_add", {}, {"label": "X", "ring": "1"}),
    ("snapshot_take", {}, {"kind": "intake"}),
    ("onset_set", {}, {"symptom_onset": "2024-09-01"}),
    ("event_add", {}, {"date": "2024-09-01", "kind": "move"}),
    ("formulation", {}, {"text": "T"}),
    ("focus_choose", {}, {"area": "grief"}),
    ("person_edit", {"person_id": True}, {"label": "Y", "ring": "2"}),
    ("person_delete", {"person_id": True}, {}),
    ("event_edit", {"event_id": True}, {"date": "2024-09-01", "kind": "move"}),
    ("event_delete", {"event_id": True}, {}),
]


@pytest.fixture
def filled(cast, course):
    mum = services.add_person(
        cast.therapist, course, label="Mum", ring=1, status="deceased", support="confiding",
        satisfying="She listened.",
    )  # fmt: skip
    services.add_person(
        cast.therapist, course, label="Ben", relationship="partner", ring=1, conflict="overt",
        expectations_match="no",
    )  # fmt: skip
    services.add_event(
        cast.therapist, course, date=dt.date(2024, 8, 20), kind="death", person_id=mum.pk,
        description="Mum died",
    )  # fmt: skip
    return course


def url(name: str, course, **extra) -> str:
    return reverse(f"interpersonal:{name}", kwargs={"course_id": course.pk, **extra})


def ids_for(course, spec: dict) -> dict:
    extra = {}
    if spec.get("person_id"):
        extra["person_id"] = Person.objects.filter(course=course).first().pk
    if spec.get("event_id"):
        extra["event_id"] = LifeEvent.objects.filter(course=course).first().pk
    return extra


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_each_page_to_the_therapist_and_the_supervisor(login, cast, filled, page):
    for user in (cast.therapist, cast.supervisor):
        response = login(user).get(url(page, filled))
        assert response.status_code == 200
        assert "Carla Client" in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_it_hides_each_page_from_an_outsider(login, cast, filled, page):
    assert login(cast.outsider).get(url(page, filled)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_it_refuses_each_page_to_the_client_and_the_admin(login, cast, filled, page):
    assert login(cast.client_user).get(url(page, filled)).status_code == 403
    assert login(cast.admin).get(url(page, filled)).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client, filled):
    response = client.get(url("inventory", filled))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "spec", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_it_refuses_every_write_to_the_supervisor_and_the_outsider(
    login, cast, filled, name, spec, data
):
    target = url(name, filled, **ids_for(filled, spec))
    people, events = Person.objects.count(), LifeEvent.objects.count()
    assert login(cast.supervisor).post(target, data).status_code == 403
    assert login(cast.outsider).post(target, data).status_code == 404
    assert login(cast.client_user).post(target, data).status_code == 403
    assert (Person.objects.count(), LifeEvent.objects.count()) == (people, events)
    assert not Formulation.objects.exists()


def test_it_hides_another_courses_person_and_event(login, cast, filled, other_course):
    stranger = services.add_person(cast.outsider, other_course, label="S", ring=1)
    event = services.add_event(cast.outsider, other_course, date=dt.date(2024, 1, 1), kind="move")
    browser = login(cast.therapist)
    assert browser.get(url("person_edit", filled, person_id=stranger.pk)).status_code == 404
    assert browser.post(url("person_delete", filled, person_id=stranger.pk)).status_code == 404
    assert browser.get(url("event_edit", filled, event_id=event.pk)).status_code == 404
    assert browser.post(url("event_delete", filled, event_id=event.pk)).status_code == 404
    assert Person.objects.filter(pk=stranger.pk).exists()


def test_it_adds_a_person_with_htmx_and_returns_the_section(login, cast, course):
    response = login(cast.therapist).post(
        url("person_add", course), {"label": "Ana", "ring": "2", "status": "present",
                                    "conflict": "none"}, **HTMX
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<section id="inventory"')
    assert "Ana added to ring 2." in body
    assert "<html" not in body
    assert Person.objects.get().label == "Ana"


def test_it_adds_a_person_without_javascript_and_redirects(login, cast, course):
    response = login(cast.therapist).post(
        url("person_add", course), {"label": "Ana", "ring": "4", "status": "present",
                                    "conflict": "none"}
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == url("inventory", course)


def test_it_shows_an_error_summary_for_a_bad_person(login, cast, course):
    response = login(cast.therapist).post(
        url("person_add", course), {"label": "", "ring": "5"}, **HTMX
    )
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert 'href="#id_label"' in body and 'href="#id_ring"' in body
    assert not Person.objects.exists()


def test_it_edits_a_person_in_place_and_saves(login, cast, filled):
    ben = Person.objects.get(label="Ben")
    browser = login(cast.therapist)
    form = browser.get(url("person_edit", filled, person_id=ben.pk), **HTMX).content.decode()
    assert 'id="edit_label"' in form and 'value="Ben"' in form
    data = {"label": "Ben", "ring": "2", "status": "present", "conflict": "covert",
            "expectations_match": "no", "knows_about_depression": "true"}  # fmt: skip
    body = browser.post(url("person_edit", filled, person_id=ben.pk), data, **HTMX)
    assert "Changes to Ben saved." in body.content.decode()
    ben.refresh_from_db()
    assert (ben.ring, ben.conflict, ben.knows_about_depression) == (2, "covert", True)


def test_it_removes_a_person(login, cast, filled):
    ben = Person.objects.get(label="Ben")
    body = login(cast.therapist).post(url("person_delete", filled, person_id=ben.pk), **HTMX)
    assert "Ben removed from the inventory." in body.content.decode()
    assert not Person.objects.filter(pk=ben.pk).exists()


def test_it_shows_the_inventory_fields_and_notes(login, cast, filled):
    body = login(cast.therapist).get(url("inventory", filled)).content.decode()
    assert "More about this person (optional)" in body
    assert "She listened." in body
    assert '<span class="badge badge-danger">Overt</span>' in body
    assert 'list="relationship-options"' in body


def test_it_hides_the_forms_from_the_supervisor(login, cast, filled):
    body = login(cast.supervisor).get(url("inventory", filled)).content.decode()
    assert "Add person" not in body and "Remove" not in body
    assert "You can read this course but not change it." in body


def test_it_embeds_the_circle_svg_with_its_table(login, cast, filled):
    body = login(cast.therapist).get(url("circle", filled)).content.decode()
    assert body.count("<svg") == 1
    assert 'role="img"' in body
    assert "Closeness circle for Carla with 2 people." in body
    assert "<caption>People in the circle now</caption>" in body
    assert "Save as the intake circle" in body


def test_it_compares_intake_and_termination_circles(login, cast, filled):
    browser = login(cast.therapist)
    assert browser.post(url("snapshot_take", filled), {"kind": "intake"}).status_code == 302
    ben = Person.objects.get(label="Ben")
    services.update_person(cast.therapist, ben, ring=2, conflict="none")
    services.add_person(cast.therapist, filled, label="Zoe", ring=2, support="confiding")
    browser.post(url("snapshot_take", filled), {"kind": "termination"})
    body = browser.get(url("circle", filled)).content.decode()
    assert body.count("<svg") == 3
    assert "Closeness circle at intake" in body and "Closeness circle at termination" in body
    assert "<caption>How each person's ring changed</caption>" in body
    assert "Further away" in body and "Added since intake" in body


def test_it_refuses_a_bad_snapshot_kind_with_a_message(login, cast, filled):
    response = login(cast.therapist).post(url("snapshot_take", filled), {"kind": "x"}, follow=True)
    assert "Choose intake or termination." in response.content.decode()


def test_it_embeds_the_timeline_svg_with_onset_and_events(login, cast, filled):
    body = login(cast.therapist).get(url("timeline", filled)).content.decode()
    assert body.count("<svg") == 1
    assert "Symptom onset 1 Oct 2024. 1 event: 20 Aug 2024 Mum died (Death)." in body
    assert "42 days before onset" in body
    assert "not an instrument the IPT manuals name" in body


def test_it_records_the_onset_and_refuses_a_future_one(login, cast, course):
    browser = login(cast.therapist)
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    body = browser.post(url("onset_set", course), {"symptom_onset": future}).content.decode()
    assert "The symptom onset cannot be in the future." in body
    assert (
        browser.post(url("onset_set", course), {"symptom_onset": "2024-12-01"}).status_code == 302
    )
    course.refresh_from_db()
    assert course.symptom_onset == dt.date(2024, 12, 1)


def test_it_adds_edits_and_removes_an_event(login, cast, filled):
    browser = login(cast.therapist)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = browser.post(url("event_add", filled), {"date": future, "kind": "move"})
    assert "The event date cannot be in the future." in body.content.decode()
    mum = Person.objects.get(label="Mum")
    data = {"date": "2024-09-15", "kind": "move", "person": mum.pk, "description": "Moved"}
    assert browser.post(url("event_add", filled), data).status_code == 302
    event = LifeEvent.objects.get(kind="move")
    assert event.person == mum
    edit = url("event_edit", filled, event_id=event.pk)
    assert "Save event" in browser.get(edit).content.decode()
    assert browser.post(edit, {**data, "kind": "job_change"}).status_code == 302
    event.refresh_from_db()
    assert event.kind == "job_change"
    assert browser.post(url("event_delete", filled, event_id=event.pk)).status_code == 302
    assert not LifeEvent.objects.filter(pk=event.pk).exists()


def test_it_offers_only_this_courses_people_for_an_event(login, cast, filled, other_course):
    stranger = services.add_person(cast.outsider, other_course, label="Stranger", ring=1)
    body = login(cast.therapist).get(url("timeline", filled)).content.decode()
    assert "Stranger" not in body
    data = {"date": "2024-09-15", "kind": "move", "person": stranger.pk}
    response = login(cast.therapist).post(url("event_add", filled), data)
    assert "Select a valid choice" in response.content.decode()
    assert not LifeEvent.objects.filter(kind="move").exists()


def test_it_words_suggestions_as_decision_support(login, cast, filled):
    body = login(cast.therapist).get(url("formulation", filled)).content.decode()
    assert "not a diagnosis" in body
    assert "may fit" in body
    assert "Grief" in body and "Role disputes" in body
    assert "[S1]" in body and "[S44]" in body
    assert "Mum (ring 1, deceased, support: confiding)" in body
    assert "Death on 2024-08-20 (Mum)" in body
    assert "Choose Grief as the focus" in body
    assert "Draft formulation for Carla." in body
    for word in ("diagnosed with", "you have grief", "disorder"):
        assert word not in body.lower()


def test_it_saves_the_formulation_as_shared(login, cast, filled):
    browser = login(cast.therapist)
    data = {"area": "grief", "text": "Edited text", "shared_on": "2025-01-13",
            "client_response": "It fits."}  # fmt: skip
    assert browser.post(url("formulation", filled), data).status_code == 302
    saved = Formulation.objects.get(course=filled)
    assert (saved.text, saved.shared_on, saved.client_response) == (
        "Edited text",
        dt.date(2025, 1, 13),
        "It fits.",
    )
    body = browser.get(url("formulation", filled)).content.decode()
    assert "Shared with the client on 13 Jan 2025." in body
    assert "Edited text" in body
    redraft = browser.get(url("formulation", filled) + "?redraft=grief").content.decode()
    assert "Draft formulation for Carla." in redraft


def test_it_refuses_a_shared_date_without_text(login, cast, filled):
    data = {"area": "", "text": "", "shared_on": "2025-01-13", "client_response": ""}
    body = login(cast.therapist).post(url("formulation", filled), data).content.decode()
    assert "Write the formulation before recording it as shared." in body
    assert not Formulation.objects.exists()


def test_it_asks_for_the_dispute_stage_and_the_deficits_confirmation(login, cast, filled):
    browser = login(cast.therapist)
    body = browser.post(url("focus_choose", filled), {"area": "role_dispute"}).content.decode()
    assert "Choose the stage of the dispute." in body
    assert 'href="#other-dispute_stage"' in body and 'id="other-dispute_stage"' in body
    body = browser.post(
        url("focus_choose", filled), {"area": "interpersonal_deficits"}
    ).content.decode()
    assert "Confirm that no other problem area fits the client." in body


def test_it_pins_the_inventory_query_count(login, cast, course, django_assert_max_num_queries):
    browser = login(cast.therapist)
    browser.get(url("inventory", course))  # warm up: the first request sets up the audit chain
    counts = []
    for total in (5, 50):
        Person.objects.filter(course=course).delete()
        Person.objects.bulk_create(
            Person(course=course, label=f"P{i:02}", ring=i % 4 + 1) for i in range(total)
        )
        with django_assert_max_num_queries(15) as captured:
            assert browser.get(url("inventory", course)).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_it_pins_the_timeline_and_formulation_query_counts(login, cast, course):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = login(cast.therapist)
    browser.get(url("timeline", course))  # warm up: the first request sets up the audit chain
    counts = {}
    for total in (3, 30):
        LifeEvent.objects.filter(course=course).delete()
        Person.objects.filter(course=course).delete()
        people = Person.objects.bulk_create(
            Person(course=course, label=f"P{i}", ring=i % 4 + 1) for i in range(total)
        )
        LifeEvent.objects.bulk_create(
            LifeEvent(course=course, date=dt.date(2024, 1, 1) + dt.timedelta(days=i),
                      kind="move", person=people[i])
            for i in range(total)
        )  # fmt: skip
        for page in ("timeline", "formulation", "circle"):
            with CaptureQueriesContext(connection) as captured:
                assert browser.get(url(page, course)).status_code == 200
            counts.setdefault(page, []).append(len(captured.captured_queries))
    assert all(a == b for a, b in counts.values()), counts


def test_it_hands_the_chosen_focus_to_the_course_engine(login, cast, filled):
    from openipt.courses.models import Focus

    browser = login(cast.therapist)
    data = {"area": "role_dispute", "dispute_stage": "impasse", "reason": "Rows with Ben."}
    response = browser.post(url("focus_choose", filled), data, follow=True)
    body = response.content.decode()
    assert "Focus set: Role disputes." in body
    focus = Focus.objects.get(course=filled, replaced_at__isnull=True)
    assert (focus.area, focus.dispute_stage, focus.reason) == (
        "role_dispute",
        "impasse",
        "Rows with Ben.",
    )
    assert "Current focus" in body and "impasse stage" in body
    assert "For now, the disagreement seems to be at the impasse stage." in body
    filled.refresh_from_db()
    assert filled.primary_area == "role_dispute"


def test_it_shows_the_course_engines_refusal(login, cast, filled):
    from openipt.courses.models import Course

    Course.objects.filter(pk=filled.pk).update(status="ended")
    body = login(cast.therapist).post(url("focus_choose", filled), {"area": "grief"})
    assert "cannot be changed" in body.content.decode()
