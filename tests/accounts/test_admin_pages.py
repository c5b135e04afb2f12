"""The admin's own pages: users, roles, teams, tokens and account history."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openipt.accounts.models import AccountEvent, ApiToken, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_it_lists_and_searches_staff_accounts(cast, reauthed):
    admin = reauthed(cast.admin)
    page = admin.get("/manage/").content.decode()
    for user in (cast.therapist, cast.supervisor, cast.outsider, cast.admin):
        assert user.username in page
    assert "Client Carla" not in page
    found = admin.get("/manage/?q=olga").content.decode()
    assert "Other Olga" in found and "Therapist Tom" not in found
    only = admin.get("/manage/?role=supervisor").content.decode()
    assert "Supervisor Sue" in only and "Therapist Tom" not in only


def test_it_pages_the_user_list_in_a_fixed_number_of_queries(cast, reauthed):
    admin = reauthed(cast.admin)
    admin.get("/manage/")
    with CaptureQueriesContext(connection) as few:
        admin.get("/manage/")
    for n in range(30):
        make_user(username=f"t{n:02}", role="therapist", supervisor="sup")
    with CaptureQueriesContext(connection) as many:
        second = admin.get("/manage/?page=2")
    assert len(many) == len(few)
    assert b"Page 2 of 2" in second.content


def test_it_creates_an_account_and_emails_a_link_to_set_the_password(cast, reauthed):
    response = reauthed(cast.admin).post(
        "/manage/users/new/",
        {
            "display_name": "Nora New",
            "username": "nora",
            "email": "nora@example.org",
            "role": "therapist",
            "supervisor": cast.supervisor.pk,
        },
    )
    nora = User.objects.get(username="nora")
    assert response["Location"] == f"/manage/users/{nora.pk}/"
    assert (nora.role, nora.supervisor, nora.has_usable_password()) == (
        "therapist",
        cast.supervisor,
        False,
    )
    assert (nora.is_staff, nora.is_superuser) == (False, False)
    assert [m.to for m in mail.outbox] == [["nora@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    kinds = set(AccountEvent.objects.filter(subject=nora).values_list("kind", flat=True))
    assert kinds == {"created", "password_reset_sent"}


def test_it_shows_every_problem_in_an_error_summary(cast, reauthed):
    response = reauthed(cast.admin).post(
        "/manage/users/new/",
        {"username": "ther", "email": "not-an-email", "role": "client", "supervisor": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert 'href="#id_display_name"' in body and 'href="#id_email"' in body
    assert 'href="#id_role"' in body
    assert not User.objects.filter(email="not-an-email").exists()


def test_it_refuses_a_username_that_exists(cast, reauthed):
    response = reauthed(cast.admin).post(
        "/manage/users/new/",
        {"display_name": "X", "username": "THER", "email": "x@example.org", "role": "therapist"},
    )
    assert b"already exists" in response.content
    assert not mail.outbox


def test_it_asks_for_the_password_again_before_saving(cast, login):
    response = login(cast.admin).post(f"/manage/users/{cast.therapist.pk}/", {"role": "admin"})
    assert "/accounts/reauthenticate/" in response["Location"]
    cast.therapist.refresh_from_db()
    assert cast.therapist.role == "therapist"


def test_it_moves_a_therapist_to_another_supervisor(cast, reauthed):
    sup2 = make_user(username="sup2", role="supervisor")
    reauthed(cast.admin).post(
        f"/manage/users/{cast.therapist.pk}/",
        {
            "display_name": "Therapist Tom",
            "role": "therapist",
            "supervisor": sup2.pk,
            "is_active": "on",
        },
    )
    cast.therapist.refresh_from_db()
    assert cast.therapist.supervisor == sup2
    event = AccountEvent.objects.get(kind="supervisor_changed")
    assert (event.detail, event.actor) == ("sup → sup2", cast.admin)
    teams = reauthed(cast.admin).get("/manage/teams/").content.decode()
    assert teams.index("sup2") < teams.index("Therapist Tom")


def test_it_deactivates_an_account_and_ends_its_tokens(cast, reauthed):
    _, secret = ApiToken.issue(cast.outsider)
    reauthed(cast.admin).post(
        f"/manage/users/{cast.outsider.pk}/",
        {"display_name": "Other Olga", "role": "therapist", "supervisor": "", "is_active": ""},
    )
    cast.outsider.refresh_from_db()
    assert cast.outsider.is_active is False
    assert ApiToken.user_for(secret) is None
    assert ApiToken.objects.get(user=cast.outsider).revoked_at is not None


def test_it_emails_a_reset_link_only_to_the_address_on_file(cast, reauthed):
    url = f"/manage/users/{cast.therapist.pk}/password-reset/"
    admin = reauthed(cast.admin)
    admin.post(url)
    assert not mail.outbox  # no address yet
    User.objects.filter(pk=cast.therapist.pk).update(email="tom@example.org")
    admin.post(url)
    assert [m.to for m in mail.outbox] == [["tom@example.org"]]
    assert admin.get(url).status_code == 405


def test_it_counts_active_accounts_by_role(cast, reauthed):
    body = reauthed(cast.admin).get("/manage/roles/").content.decode()
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    assert "Therapist" in table and "Supervisor" in table and "Client" not in table
    assert 'href="/manage/?role=therapist">2</a>' in table


def test_it_lists_every_staff_token_and_revokes_one_with_a_reason(cast, reauthed):
    token, secret = ApiToken.issue(cast.therapist, name="laptop")
    ApiToken.issue(cast.client_user, name="client-held")
    admin = reauthed(cast.admin)
    listed = admin.get("/manage/tokens/").content.decode()
    assert "laptop" in listed and "client-held" not in listed
    empty = admin.post(f"/manage/tokens/{token.pk}/revoke/", {"reason": ""})
    assert b"There is a problem" in empty.content and ApiToken.user_for(secret) is not None
    done = admin.post(f"/manage/tokens/{token.pk}/revoke/", {"reason": "laptop stolen"})
    assert done["Location"] == "/manage/tokens/"
    assert ApiToken.user_for(secret) is None
    event = AccountEvent.objects.get(kind="token_revoked")
    assert (event.actor, event.detail) == (cast.admin, "laptop: laptop stolen")
    history = admin.get("/manage/events/?who=ther").content.decode()
    assert "laptop stolen" in history


def test_it_will_not_show_a_clients_token_to_the_admin(cast, reauthed):
    token, _ = ApiToken.issue(cast.client_user)
    assert reauthed(cast.admin).get(f"/manage/tokens/{token.pk}/revoke/").status_code == 404
