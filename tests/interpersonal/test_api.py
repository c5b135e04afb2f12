"""REST operations: the contract, validation with clear errors, and who may do what."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from openipt.interpersonal import services
from openipt.interpersonal.models import Formulation, LifeEvent, Person

pytestmark = pytest.mark.django_db


def send(client, method, url, data, headers):
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", **headers
    )


def base(course) -> str:
    return f"/api/v1/courses/{course.pk}"


def test_it_creates_reads_changes_and_deletes_a_person(client, cast, course, token_for):
    auth = token_for(cast.therapist)
    body = {"label": "Ben", "ring": 1, "relationship": "partner", "status": "present",
            "conflict": "overt"}  # fmt: skip
    created = send(client, "post", f"{base(course)}/inventory", body, auth)
    assert created.status_code == 201, created.content
    person = created.json()
    assert {k: person[k] for k in body} == body
    assert person["support"] is None and person["expectations_match"] == "unclear"
    url = f"{base(course)}/inventory/{person['id']}"
    assert client.get(url, **auth).json()["label"] == "Ben"
    changed = send(client, "patch", url, {"ring": 2, "expectations_match": "no",
                                          "support": "practical"}, auth)  # fmt: skip
    assert changed.status_code == 200
    assert (changed.json()["ring"], changed.json()["support"]) == (2, "practical")
    cleared = send(client, "patch", url, {"support": None, "knows_about_depression": True}, auth)
    assert (cleared.json()["support"], cleared.json()["knows_about_depression"]) == (None, True)
    assert client.delete(url, **auth).status_code == 204
    assert client.get(url, **auth).status_code == 404


def test_it_lists_the_inventory_paginated_in_ring_order(client, cast, course, token_for):
    for label, ring in (("Zoe", 3), ("Ann", 1), ("Bob", 1)):
        services.add_person(cast.therapist, course, label=label, ring=ring)
    body = client.get(f"{base(course)}/inventory?limit=2", **token_for(cast.therapist)).json()
    assert body["count"] == 3
    assert [p["label"] for p in body["items"]] == ["Ann", "Bob"]


@pytest.mark.parametrize("ring", [0, 5, True, "1", 1.5, None])
def test_it_refuses_a_ring_outside_1_to_4(client, cast, course, token_for, ring):
    response = send(
        client, "post", f"{base(course)}/inventory", {"label": "X", "ring": ring},
        token_for(cast.therapist),
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid request. ring:")
    assert not Person.objects.exists()


def test_it_refuses_a_bad_patch(client, cast, course, token_for):
    person = services.add_person(cast.therapist, course, label="Ben", ring=1)
    url = f"{base(course)}/inventory/{person.pk}"
    auth = token_for(cast.therapist)
    assert send(client, "patch", url, {"ring": 0}, auth).status_code == 422
    assert send(client, "patch", url, {"ring": True}, auth).status_code == 422
    nulled = send(client, "patch", url, {"label": None, "status": None}, auth)
    assert nulled.status_code == 400
    assert nulled.json()["detail"] == (
        "label: This field cannot be null. status: This field cannot be null."
    )
    assert send(client, "patch", url, {"age": 3}, auth).status_code == 422
    control = send(client, "patch", url, {"label": "A\u0000"}, auth)
    assert control.status_code == 400 and "control character" in control.json()["detail"]
    person.refresh_from_db()
    assert (person.label, person.ring) == ("Ben", 1)


def test_it_creates_and_changes_an_event(client, cast, course, token_for):
    auth = token_for(cast.therapist)
    mum = services.add_person(cast.therapist, course, label="Mum", ring=1)
    body = {"date": "2024-08-20", "kind": "death", "person_id": mum.pk, "description": "Died"}
    created = send(client, "post", f"{base(course)}/events", body, auth)
    assert created.status_code == 201, created.content
    event = created.json()
    assert {k: event[k] for k in body} == body
    url = f"{base(course)}/events/{event['id']}"
    changed = send(client, "patch", url, {"person_id": None, "kind": "other"}, auth)
    assert (changed.json()["person_id"], changed.json()["kind"]) == (None, "other")
    assert send(client, "patch", url, {"date": None}, auth).status_code == 400
    listed = client.get(f"{base(course)}/events", **auth).json()
    assert [e["id"] for e in listed["items"]] == [event["id"]]
    assert client.delete(url, **auth).status_code == 204
    assert not LifeEvent.objects.exists()


def test_it_refuses_an_event_in_the_future(client, cast, course, token_for):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = send(
        client, "post", f"{base(course)}/events", {"date": tomorrow, "kind": "move"},
        token_for(cast.therapist),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["detail"] == "date: The event date cannot be in the future."
    assert response.json()["errors"] == {"date": ["The event date cannot be in the future."]}


def test_it_refuses_a_person_from_another_course(client, cast, course, other_course, token_for):
    stranger = services.add_person(cast.outsider, other_course, label="S", ring=1)
    response = send(
        client, "post", f"{base(course)}/events",
        {"date": "2024-01-01", "kind": "move", "person_id": stranger.pk},
        token_for(cast.therapist),
    )  # fmt: skip
    assert response.status_code == 400
    assert "inventory" in response.json()["detail"]
    assert send(
        client, "post", f"{base(course)}/events", {"date": "2024-01-01", "kind": "party"},
        token_for(cast.therapist),
    ).status_code == 422  # fmt: skip


def test_it_suggests_areas_most_likely_first_with_facts_and_sources(
    client, cast, course, token_for
):
    mum = services.add_person(cast.therapist, course, label="Mum", ring=1, status="deceased")
    services.add_person(cast.therapist, course, label="Ben", ring=1, conflict="covert")
    services.add_event(
        cast.therapist, course, date=dt.date(2024, 9, 1), kind="death", person_id=mum.pk
    )
    body = client.get(f"{base(course)}/formulation/suggestions", **token_for(cast.therapist))
    assert body.status_code == 200
    found = body.json()
    assert [s["area"] for s in found] == ["grief", "role_dispute"]
    grief = found[0]
    assert grief["strength"] == "likely"
    assert grief["sources"] == ["S1", "S2"]
    assert grief["facts"][0] == {
        "ref": f"person:{mum.pk}",
        "kind": "person",
        "text": "Mum (ring 1, deceased)",
    }
    assert all("may fit" in r for r in grief["reasons"])
    assert found[1]["reasons"][-1].startswith("If a dispute fits, establish its stage")


def test_it_returns_no_suggestions_for_an_empty_inventory(client, cast, course, token_for):
    url = f"{base(course)}/formulation/suggestions"
    assert client.get(url, **token_for(cast.therapist)).json() == []


def test_it_puts_and_reads_the_formulation(client, cast, course, token_for):
    auth = token_for(cast.therapist)
    url = f"{base(course)}/formulation"
    empty = client.get(url, **auth).json()
    assert (empty["text"], empty["area"], empty["updated_at"]) == ("", None, None)
    body = {"text": "We agreed...", "area": "grief", "shared_on": "2025-01-13",
            "client_response": "Fits."}  # fmt: skip
    put = send(client, "put", url, body, auth)
    assert put.status_code == 200, put.content
    assert {k: put.json()[k] for k in body} == body
    assert Formulation.objects.get().shared_on == dt.date(2025, 1, 13)
    bad = send(client, "put", url, {"text": "", "shared_on": "2025-01-13"}, auth)
    assert bad.status_code == 400 and "Write the formulation" in bad.json()["detail"]
    assert send(client, "put", url, {"area": "anger"}, auth).status_code == 422


def test_it_saves_and_lists_snapshots(client, cast, course, token_for):
    auth = token_for(cast.therapist)
    url = f"{base(course)}/snapshots"
    assert send(client, "post", url, {"kind": "intake"}, auth).status_code == 400
    services.add_person(cast.therapist, course, label="Ann", ring=2)
    created = send(client, "post", url, {"kind": "intake"}, auth)
    assert created.status_code == 201
    assert created.json()["people"][0]["label"] == "Ann"
    assert [s["kind"] for s in client.get(url, **auth).json()] == ["intake"]


def operations(course, person, event):
    b = base(course)
    return [
        ("get", f"{b}/inventory", None),
        ("post", f"{b}/inventory", {"label": "X", "ring": 1}),
        ("get", f"{b}/inventory/{person.pk}", None),
        ("patch", f"{b}/inventory/{person.pk}", {"ring": 2}),
        ("delete", f"{b}/inventory/{person.pk}", None),
        ("get", f"{b}/events", None),
        ("post", f"{b}/events", {"date": "2024-01-01", "kind": "move"}),
        ("get", f"{b}/events/{event.pk}", None),
        ("patch", f"{b}/events/{event.pk}", {"kind": "birth"}),
        ("delete", f"{b}/events/{event.pk}", None),
        ("get", f"{b}/formulation/suggestions", None),
        ("get", f"{b}/formulation", None),
        ("put", f"{b}/formulation", {"text": "T"}),
        ("get", f"{b}/snapshots", None),
        ("post", f"{b}/snapshots", {"kind": "intake"}),
    ]


@pytest.fixture
def rows(cast, course):
    person = services.add_person(cast.therapist, course, label="Ann", ring=2)
    event = services.add_event(cast.therapist, course, date=dt.date(2024, 1, 1), kind="move")
    return person, event


def test_it_gives_404_to_an_outsider_and_a_client_on_every_operation(
    client, cast, course, rows, token_for
):
    for user in (cast.outsider, cast.client_user, cast.admin):
        auth = token_for(user)
        for method, url, data in operations(course, *rows):
            response = send(client, method, url, data, auth) if data else getattr(
                client, method)(url, **auth)  # fmt: skip
            assert response.status_code == 404, (user, method, url)
            assert response.json() == {"detail": "Not found."}


def test_it_lets_the_supervisor_read_but_not_write(client, cast, course, rows, token_for):
    auth = token_for(cast.supervisor)
    for method, url, data in operations(course, *rows):
        response = send(client, method, url, data, auth) if data else getattr(
            client, method)(url, **auth)  # fmt: skip
        expected = 200 if method == "get" else 403
        assert response.status_code == expected, (method, url, response.content)
    assert Person.objects.count() == 1 and LifeEvent.objects.count() == 1


def test_it_requires_a_token(client, course):
    assert client.get(f"{base(course)}/inventory").status_code == 401


def test_it_hides_another_courses_person_behind_this_course(
    client, cast, course, other_course, token_for
):
    stranger = services.add_person(cast.outsider, other_course, label="S", ring=1)
    url = f"{base(course)}/inventory/{stranger.pk}"
    assert client.get(url, **token_for(cast.therapist)).status_code == 404


def test_it_pins_the_inventory_list_query_count(
    client, cast, course, token_for, django_assert_max_num_queries
):
    auth = token_for(cast.therapist)
    client.get(f"{base(course)}/inventory", **auth)  # warm up the audit chain and the token
    counts = []
    for total in (5, 50):
        Person.objects.filter(course=course).delete()
        Person.objects.bulk_create(
            Person(course=course, label=f"P{i}", ring=i % 4 + 1) for i in range(total)
        )
        with django_assert_max_num_queries(15) as captured:
            assert client.get(f"{base(course)}/inventory", **auth).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
