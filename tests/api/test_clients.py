from __future__ import annotations

import json

import pytest

from openipt.clients.models import Client

pytestmark = pytest.mark.django_db


def post(client, url, data, headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", **headers)


def patch(client, url, data, headers):
    return client.patch(url, data=json.dumps(data), content_type="application/json", **headers)


def test_it_lists_only_the_token_owners_clients(client, cast, token_for):
    body = client.get("/api/v1/clients", **token_for(cast.therapist)).json()
    assert [c["name"] for c in body["items"]] == ["Carla Client"]
    assert body["count"] == 1
    assert all("id" in c for c in body["items"])


def test_it_lists_supervisees_clients_for_a_supervisor(client, cast, token_for):
    body = client.get("/api/v1/clients", **token_for(cast.supervisor)).json()
    assert [c["name"] for c in body["items"]] == ["Carla Client"]


def test_it_lists_nothing_for_an_admin(client, cast, token_for):
    assert client.get("/api/v1/clients", **token_for(cast.admin)).json()["count"] == 0


def test_it_gives_404_for_another_therapists_client(client, cast, token_for):
    url = f"/api/v1/clients/{cast.other_client.pk}"
    response = client.get(url, **token_for(cast.therapist))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_it_gives_404_when_an_outsider_patches(client, cast, token_for):
    url = f"/api/v1/clients/{cast.client.pk}"
    assert patch(client, url, {"name": "X"}, token_for(cast.outsider)).status_code == 404


def test_it_gives_403_when_a_supervisor_patches(client, cast, token_for):
    url = f"/api/v1/clients/{cast.client.pk}"
    response = patch(client, url, {"name": "X"}, token_for(cast.supervisor))
    assert response.status_code == 403
    assert "therapist" in response.json()["detail"]


def test_it_requires_a_token(client, cast):
    response = client.get("/api/v1/clients")
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_it_refuses_a_revoked_token(client, cast):
    from django.utils import timezone

    from openipt.accounts.models import ApiToken

    token, secret = ApiToken.issue(cast.therapist)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = client.get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_it_stores_tokens_hashed(cast):
    from openipt.accounts.models import ApiToken

    token, secret = ApiToken.issue(cast.therapist)
    assert secret not in token.digest
    assert ApiToken.user_for(secret) == cast.therapist


def test_it_creates_a_client_with_only_a_name(client, cast, token_for):
    response = post(client, "/api/v1/clients", {"name": "Api Person"}, token_for(cast.therapist))
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == Client.objects.get(name="Api Person").pk
    assert body["primary_therapist_id"] == cast.therapist.pk


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": 5},
        {"name": True},
        {"name": "x" * 201},
        {"name": "ok", "unknown": 1},
        {"name": "ok", "date_of_birth": "yesterday"},
        {"name": "ok", "show_progress_to_client": "yes"},
    ],
)
def test_it_refuses_bad_payloads_with_a_message(client, cast, token_for, payload):
    before = Client.objects.count()
    response = post(client, "/api/v1/clients", payload, token_for(cast.therapist))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid request.")
    assert Client.objects.count() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "ok", "date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"name": "ok", "email": "nope"}, "email"),
        ({"name": "bad\u0000name"}, "name"),
        ({"name": "ok", "record_number": "R-2"}, "record_number"),
    ],
)
def test_it_refuses_invalid_values_with_400(client, cast, token_for, payload, field):
    response = post(client, "/api/v1/clients", payload, token_for(cast.therapist))
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_it_refuses_creation_by_a_supervisor(client, cast, token_for):
    response = post(client, "/api/v1/clients", {"name": "X"}, token_for(cast.supervisor))
    assert response.status_code == 403


def test_it_patches_only_the_given_fields(client, cast, token_for):
    url = f"/api/v1/clients/{cast.client.pk}"
    response = patch(client, url, {"email": "carla@example.org"}, token_for(cast.therapist))
    assert response.status_code == 200
    assert response.json()["name"] == "Carla Client"
    assert response.json()["email"] == "carla@example.org"


def test_it_refuses_a_null_name(client, cast, token_for):
    url = f"/api/v1/clients/{cast.client.pk}"
    response = patch(client, url, {"name": None}, token_for(cast.therapist))
    assert response.status_code == 400
    assert "cannot be null" in response.json()["detail"]


def test_it_refuses_malformed_json(client, cast, token_for):
    response = client.post(
        "/api/v1/clients",
        data="{not json",
        content_type="application/json",
        **token_for(cast.therapist),
    )
    assert 400 <= response.status_code < 500


def test_it_keeps_the_list_query_count_flat(client, cast, token_for, django_assert_max_num_queries):
    headers = token_for(cast.therapist)
    Client.objects.bulk_create(
        Client(name=f"N{i}", record_number=f"Q-{i}", primary_therapist=cast.therapist)
        for i in range(40)
    )
    # 4 queries of our own plus the access-audit append (savepoint, chain head, insert,
    # update, release): the same for 1 client or 41.
    with django_assert_max_num_queries(9):
        assert client.get("/api/v1/clients", **headers).status_code == 200


def test_it_publishes_an_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/clients" in doc["paths"]
