from __future__ import annotations

import pytest
from django.urls import reverse

from openipt.clients.models import Client

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_therapists_own_clients(cast, login):
    response = login(cast.therapist).get(reverse("clients:list"))
    assert response.status_code == 200
    assert b"Carla Client" in response.content
    assert b"Oscar Outside" not in response.content


def test_it_shows_a_supervisor_their_supervisees_clients(cast, login):
    response = login(cast.supervisor).get(reverse("clients:list"))
    assert b"Carla Client" in response.content
    assert b"Oscar Outside" not in response.content


def test_it_refuses_the_client_list_to_a_client(cast, login):
    assert login(cast.client_user).get(reverse("clients:list")).status_code == 403


def test_it_refuses_the_client_list_to_an_admin(cast, login):
    assert login(cast.admin).get(reverse("clients:list")).status_code == 403


def test_it_sends_anonymous_users_to_login(client, cast):
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_searches_by_name_and_record_number(cast, login):
    c = login(cast.therapist)
    assert b"Carla Client" in c.get(reverse("clients:list"), {"q": "carla"}).content
    assert b"Carla Client" in c.get(reverse("clients:list"), {"q": "R-1"}).content
    assert b"Carla Client" not in c.get(reverse("clients:list"), {"q": "zzz"}).content


def test_it_returns_only_rows_to_htmx(cast, login):
    response = login(cast.therapist).get(reverse("clients:list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"Carla Client" in response.content


@pytest.mark.parametrize("extra", [5, 60])
def test_it_keeps_the_list_query_count_flat(cast, login, django_assert_max_num_queries, extra):
    Client.objects.bulk_create(
        Client(name=f"Bulk {i}", record_number=f"B-{extra}-{i}", primary_therapist=cast.therapist)
        for i in range(extra)
    )
    c = login(cast.therapist)
    # Session, user, count, page, then the access-audit append (5 queries).
    with django_assert_max_num_queries(10):
        response = c.get(reverse("clients:list"))
    assert response.status_code == 200


def test_it_paginates(cast, login):
    Client.objects.bulk_create(
        Client(name=f"Bulk {i:03}", record_number=f"P-{i}", primary_therapist=cast.therapist)
        for i in range(30)
    )
    c = login(cast.therapist)
    first = c.get(reverse("clients:list")).content.decode()
    assert "Page 1 of 2" in first
    second = c.get(reverse("clients:list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert c.get(reverse("clients:list"), {"page": "junk"}).status_code == 200


def test_it_shows_the_client_to_the_therapist(cast, login):
    response = login(cast.therapist).get(reverse("clients:detail", args=[cast.client.pk]))
    assert response.status_code == 200
    assert b"Edit details" in response.content
    privacy = reverse("privacy:client", args=[cast.client.pk])
    assert f'href="{privacy}"'.encode() in response.content


def test_it_shows_the_client_read_only_to_the_supervisor(cast, login):
    response = login(cast.supervisor).get(reverse("clients:detail", args=[cast.client.pk]))
    assert response.status_code == 200
    assert b"Edit details" not in response.content


def test_it_hides_the_client_from_an_outsider(cast, login):
    url = reverse("clients:detail", args=[cast.client.pk])
    assert login(cast.outsider).get(url).status_code == 404


def test_it_creates_a_client(cast, login):
    response = login(cast.therapist).post(
        reverse("clients:create"), {"name": "  New Person ", "record_number": ""}
    )
    created = Client.objects.get(name="New Person")
    assert response.status_code == 302
    assert created.primary_therapist == cast.therapist
    assert created.record_number.startswith("OI-")


def test_it_shows_an_error_summary_for_bad_input(cast, login):
    response = login(cast.therapist).post(
        reverse("clients:create"), {"name": "", "email": "not-an-email"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_name"' in body
    assert not Client.objects.filter(email="not-an-email").exists()


def test_it_refuses_a_future_date_of_birth(cast, login):
    response = login(cast.therapist).post(
        reverse("clients:create"), {"name": "Futura", "date_of_birth": "2999-01-01"}
    )
    assert "cannot be in the future" in response.content.decode()
    assert not Client.objects.filter(name="Futura").exists()


def test_it_refuses_control_characters(cast, login):
    response = login(cast.therapist).post(reverse("clients:create"), {"name": "Bad\x00Name"})
    assert response.status_code == 200
    assert not Client.objects.filter(name__startswith="Bad").exists()


def test_it_refuses_a_duplicate_record_number(cast, login):
    response = login(cast.therapist).post(
        reverse("clients:create"), {"name": "Dup", "record_number": "R-2"}
    )
    assert "already exists" in response.content.decode()


def test_it_refuses_creation_to_a_supervisor(cast, login):
    assert login(cast.supervisor).post(reverse("clients:create"), {"name": "x"}).status_code == 403


def test_it_edits_a_client(cast, login):
    url = reverse("clients:edit", args=[cast.client.pk])
    response = login(cast.therapist).post(url, {"name": "Carla C", "record_number": "R-1"})
    assert response.status_code == 302
    cast.client.refresh_from_db()
    assert cast.client.name == "Carla C"


def test_it_refuses_edits_by_the_supervisor(cast, login):
    url = reverse("clients:edit", args=[cast.client.pk])
    assert login(cast.supervisor).post(url, {"name": "Hijack"}).status_code == 403


def test_it_hides_the_edit_page_from_an_outsider(cast, login):
    url = reverse("clients:edit", args=[cast.client.pk])
    assert login(cast.outsider).get(url).status_code == 404
