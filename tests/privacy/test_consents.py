"""Consent records and disclosures: pages and API, for every role."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from openipt.privacy import services
from openipt.privacy.models import Consent, Disclosure
from tests.factories import today

pytestmark = pytest.mark.django_db


def _api(client_id: int, tail: str = "") -> str:
    return f"/api/v1/clients/{client_id}/consents{tail}"


def test_it_records_and_withdraws_a_consent_through_the_pages(cast, login):
    c = login(cast.therapist)
    response = c.post(
        reverse("privacy:consent_add", args=[cast.client.pk]),
        {"topic": "research_contact", "given_on": today().isoformat(), "note": "By phone"},
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.topic, consent.recorded_by, consent.status) == (
        "research_contact",
        cast.therapist,
        "given",
    )
    overview = c.get(reverse("privacy:client", args=[cast.client.pk]))
    assert b"Being contacted about research" in overview.content
    c.post(reverse("privacy:consent_withdraw", args=[cast.client.pk, consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_on == today()
    history = c.get(reverse("privacy:consents", args=[cast.client.pk]))
    assert b"Withdrawn" in history.content
    overview = c.get(reverse("privacy:client", args=[cast.client.pk]))
    assert b"No consent is recorded as in force" in overview.content


def test_it_refuses_a_consent_dated_in_the_future(cast, login):
    response = login(cast.therapist).post(
        reverse("privacy:consent_add", args=[cast.client.pk]),
        {"topic": "treatment", "given_on": (today() + timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"cannot be in the future" in response.content
    assert not Consent.objects.exists()


def test_it_refuses_withdrawing_twice(cast, login):
    consent = services.record_consent(
        cast.therapist, cast.client, topic="treatment", given_on=today()
    )
    services.withdraw_consent(cast.therapist, consent)
    c = login(cast.therapist)
    response = c.post(
        reverse("privacy:consent_withdraw", args=[cast.client.pk, consent.pk]), follow=True
    )
    assert b"withdrawn already" in response.content


@pytest.mark.parametrize("name", ["privacy:client", "privacy:consents", "privacy:disclosures"])
def test_it_lets_the_supervisor_read_but_not_change(cast, login, name):
    c = login(cast.supervisor)
    response = c.get(reverse(name, args=[cast.client.pk]))
    assert response.status_code == 200
    assert b"Record a consent" not in response.content
    assert b"Record a disclosure" not in response.content
    assert c.get(reverse("privacy:consent_add", args=[cast.client.pk])).status_code == 403
    assert c.get(reverse("privacy:disclosure_add", args=[cast.client.pk])).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "privacy:client",
        "privacy:consents",
        "privacy:consent_add",
        "privacy:disclosures",
        "privacy:disclosure_add",
        "privacy:export",
        "privacy:erase",
    ],
)
def test_it_hides_every_client_page_from_an_outsider(cast, login, name):
    assert login(cast.outsider).get(reverse(name, args=[cast.client.pk])).status_code == 404


@pytest.mark.parametrize("name", ["privacy:client", "privacy:consents", "privacy:disclosures"])
def test_it_refuses_client_pages_to_the_client_and_the_admin(cast, login, name):
    assert login(cast.client_user).get(reverse(name, args=[cast.client.pk])).status_code == 403
    assert login(cast.admin).get(reverse(name, args=[cast.client.pk])).status_code == 403


def test_it_refuses_withdrawals_to_the_supervisor_and_outsider(cast, login):
    consent = services.record_consent(
        cast.therapist, cast.client, topic="treatment", given_on=today()
    )
    url = reverse("privacy:consent_withdraw", args=[cast.client.pk, consent.pk])
    assert login(cast.supervisor).post(url).status_code == 403
    assert login(cast.outsider).post(url).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


@pytest.mark.parametrize("extra", [3, 45])
def test_it_keeps_the_consent_list_query_count_flat(
    cast, login, django_assert_max_num_queries, extra
):
    Consent.objects.bulk_create(
        Consent(client=cast.client, topic="treatment", given_on=today(), recorded_by=cast.therapist)
        for _ in range(extra)
    )
    c = login(cast.therapist)
    url = reverse("privacy:consents", args=[cast.client.pk])
    c.get(url)  # warm up: per-process caches (content types, the audit chain) are not the page's
    with django_assert_max_num_queries(12):
        assert c.get(url).status_code == 200


def test_it_records_a_disclosure_of_own_notes_only(cast, course, note, login):
    other = services.add_note(cast.therapist, course, "another")
    c = login(cast.therapist)
    response = c.post(
        reverse("privacy:disclosure_add", args=[cast.client.pk]),
        {
            "notes": [note.pk],
            "recipient": "Dr Jones, psychiatrist",
            "recipient_user": cast.supervisor.pk,
            "purpose": "Second opinion",
            "authorised_by": "Carla Client",
            "authorised_on": today().isoformat(),
        },
    )
    assert response.status_code == 302, response.content
    disclosure = Disclosure.objects.get()
    assert list(disclosure.notes.all()) == [note]
    assert other not in disclosure.notes.all()
    listing = c.get(reverse("privacy:disclosures", args=[cast.client.pk]))
    assert b"Dr Jones" in listing.content


def test_it_refuses_a_disclosure_without_notes(cast, course, note, login):
    response = login(cast.therapist).post(
        reverse("privacy:disclosure_add", args=[cast.client.pk]),
        {"recipient": "x", "purpose": "y", "authorised_by": "z", "authorised_on": today()},
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("extra", [2, 30])
def test_it_keeps_the_disclosure_list_query_count_flat(
    cast, course, note, login, django_assert_max_num_queries, extra
):
    for _ in range(extra):
        services.record_disclosure(
            cast.therapist,
            cast.client,
            notes=[note],
            recipient="GP",
            purpose="letter",
            authorised_by="client",
            authorised_on=today(),
        )
    c = login(cast.therapist)
    url = reverse("privacy:disclosures", args=[cast.client.pk])
    c.get(url)  # warm up: per-process caches (content types, the audit chain) are not the page's
    with django_assert_max_num_queries(13):
        assert c.get(url).status_code == 200


# The API


def test_it_lists_and_records_consents_over_the_api(cast, client, token_for):
    headers = token_for(cast.therapist)
    body = {"topic": "portal_use", "given_on": today().isoformat(), "note": "agreed"}
    created = client.post(
        _api(cast.client.pk), json.dumps(body), content_type="application/json", **headers
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "given"
    listed = client.get(_api(cast.client.pk), **headers).json()
    assert listed["count"] == 1 and listed["items"][0]["note"] == "agreed"
    consent_id = created.json()["id"]
    withdrawn = client.post(
        _api(cast.client.pk, f"/{consent_id}/withdraw"),
        "{}",
        content_type="application/json",
        **headers,
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_on"] == today().isoformat()


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "everything", "given_on": "2026-01-05"},
        {"topic": "treatment", "given_on": "yesterday"},
        {"topic": "treatment", "given_on": "2026-01-05", "note": 5},
        {"topic": "treatment", "given_on": "2026-01-05", "extra": 1},
    ],
)
def test_it_refuses_bad_consent_bodies(cast, client, token_for, body):
    response = client.post(
        _api(cast.client.pk),
        json.dumps(body),
        content_type="application/json",
        **token_for(cast.therapist),
    )
    assert response.status_code == 422
    assert "detail" in response.json()
    assert not Consent.objects.exists()


def test_it_refuses_a_future_consent_over_the_api(cast, client, token_for):
    body = {"topic": "treatment", "given_on": (today() + timedelta(days=1)).isoformat()}
    response = client.post(
        _api(cast.client.pk),
        json.dumps(body),
        content_type="application/json",
        **token_for(cast.therapist),
    )
    assert response.status_code == 400
    assert "future" in response.json()["detail"]


def test_it_applies_the_roles_to_the_consent_api(cast, client, token_for):
    body = json.dumps({"topic": "treatment", "given_on": today().isoformat()})
    url = _api(cast.client.pk)
    sup = token_for(cast.supervisor)
    assert client.get(url, **sup).status_code == 200
    assert client.post(url, body, content_type="application/json", **sup).status_code == 403
    out = token_for(cast.outsider)
    assert client.get(url, **out).status_code == 404
    assert client.post(url, body, content_type="application/json", **out).status_code == 404
    own = token_for(cast.client_user)
    assert client.get(url, **own).status_code == 403
    assert client.get(url).status_code == 401
    assert not Consent.objects.exists()


def test_it_hides_another_clients_consent_from_withdrawal(cast, client, token_for):
    other = services.record_consent(
        cast.outsider, cast.other_client, topic="treatment", given_on=today()
    )
    response = client.post(
        _api(cast.client.pk, f"/{other.pk}/withdraw"),
        "{}",
        content_type="application/json",
        **token_for(cast.therapist),
    )
    assert response.status_code == 404
