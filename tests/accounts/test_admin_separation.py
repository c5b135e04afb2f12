"""Finding 2: the admin role manages accounts but can never act or see as a clinician.

The review re-pointed an admin's own API token to a therapist through /admin/ and read
clients as them, and gave an admin the supervisor role and a therapist to supervise.
"""

from __future__ import annotations

import importlib

import pytest
from auditlog.models import LogEntry
from django.contrib import admin as django_admin
from django.core.exceptions import ValidationError
from django.test import Client

from openipt.accounts.administration import AccountChange, change_account
from openipt.accounts.models import AccountEvent, ApiToken, User

pytestmark = pytest.mark.django_db


def _edit(client, user, **fields):
    data = {
        "display_name": user.display_name,
        "role": user.role,
        "supervisor": user.supervisor_id or "",
        "is_active": "on" if user.is_active else "",
        **fields,
    }
    return client.post(f"/manage/users/{user.pk}/", data)


def test_it_ignores_an_admins_own_role_posted_on_their_page(cast, reauthed):
    response = _edit(reauthed(cast.admin), cast.admin, role="supervisor")
    assert response.status_code == 302
    cast.admin.refresh_from_db()
    assert cast.admin.role == "admin"
    assert not AccountEvent.objects.filter(kind="role_changed").exists()


def test_it_refuses_an_admin_changing_their_own_role_or_supervisor(cast):
    for change in (
        AccountChange("A", "supervisor", None, True),
        AccountChange("A", "therapist", cast.supervisor, True),
        AccountChange("A", "admin", cast.supervisor, True),
        AccountChange("A", "admin", None, False),
    ):
        with pytest.raises(ValidationError):
            change_account(cast.admin, cast.admin, change)
    cast.admin.refresh_from_db()
    assert (cast.admin.role, cast.admin.supervisor, cast.admin.is_active) == ("admin", None, True)


def test_it_refuses_an_admin_as_anyones_supervisor(cast, reauthed):
    response = _edit(reauthed(cast.admin), cast.therapist, supervisor=cast.admin.pk)
    assert response.status_code == 200 and b"There is a problem" in response.content
    with pytest.raises(ValidationError, match="active supervisor"):
        change_account(
            cast.admin, cast.therapist, AccountChange("T", "therapist", cast.admin, True)
        )
    cast.therapist.refresh_from_db()
    assert cast.therapist.supervisor == cast.supervisor


def test_it_cannot_move_a_token_to_another_owner(cast):
    token, secret = ApiToken.issue(cast.admin, name="mine")
    token.user = cast.therapist
    with pytest.raises(ValidationError, match="owner cannot change"):
        token.save()
    assert ApiToken.user_for(secret) == cast.admin
    assert ApiToken._meta.get_field("user").editable is False


def test_it_keeps_users_tokens_and_second_factors_out_of_the_django_admin():
    from allauth.mfa.models import Authenticator

    for model in (User, ApiToken, Authenticator):
        assert not django_admin.site.is_registered(model), model


def test_it_gives_the_admin_role_no_django_admin(cast, login):
    assert (cast.admin.is_staff, cast.admin.is_superuser) == (False, False)
    assert login(cast.admin).get("/admin/").status_code == 302
    assert login(cast.admin).get("/admin/clients/client/").status_code in (302, 404)


def test_it_opens_the_django_admin_to_an_operator_superuser(db, login):
    root = User.objects.create_superuser("root", "root@example.org", "long-password-9")
    assert login(root).get("/admin/").status_code == 200
    assert login(root).get("/admin/accounts/apitoken/").status_code == 404


def test_it_clears_staff_and_superuser_from_existing_admins(cast):
    from django.apps import apps

    User.objects.filter(pk=cast.admin.pk).update(is_staff=True, is_superuser=True)
    migration = importlib.import_module(
        "openipt.accounts.migrations.0002_account_events_and_token_expiry"
    )
    migration.unstaff_admin_role(apps, None)
    cast.admin.refresh_from_db()
    assert (cast.admin.is_staff, cast.admin.is_superuser) == (False, False)


def test_it_lets_another_admin_change_a_role_and_records_it(cast, other_admin, reauthed):
    response = _edit(reauthed(other_admin), cast.admin, role="supervisor")
    assert response.status_code == 302
    cast.admin.refresh_from_db()
    assert cast.admin.role == "supervisor"
    event = AccountEvent.objects.get(kind="role_changed", subject=cast.admin)
    assert (event.actor, event.detail) == (other_admin, "admin → supervisor")
    logged = LogEntry.objects.get_for_object(cast.admin).filter(action=LogEntry.Action.UPDATE)
    assert logged.filter(actor=other_admin, changes__icontains="role").exists()


def test_it_ends_the_tokens_of_an_account_whose_role_changes(cast, other_admin):
    _, secret = ApiToken.issue(cast.therapist)
    change_account(other_admin, cast.therapist, AccountChange("T", "supervisor", None, True))
    assert ApiToken.user_for(secret) is None


def test_it_reads_no_clinical_record_with_an_admin_token(cast, token_for, client):
    headers = token_for(cast.admin)
    listed = client.get("/api/v1/clients", **headers)
    assert listed.status_code in (200, 403) and cast.client.name.encode() not in listed.content
    assert client.get(f"/api/v1/clients/{cast.client.pk}", **headers).status_code in (403, 404)


def test_it_refuses_the_admin_pages_to_every_other_role(cast, login):
    urls = ["/manage/", "/manage/users/new/", f"/manage/users/{cast.therapist.pk}/"]
    urls += ["/manage/roles/", "/manage/teams/", "/manage/tokens/", "/manage/events/"]
    for url in urls:
        assert Client().get(url)["Location"].startswith("/accounts/login/"), url
        for user in (cast.therapist, cast.supervisor, cast.client_user):
            assert login(user).get(url).status_code == 403, (url, user)
            assert login(user).post(url, {"role": "admin"}).status_code == 403, (url, user)


def test_it_hides_client_accounts_from_the_admin(cast, reauthed):
    response = reauthed(cast.admin).get(f"/manage/users/{cast.client_user.pk}/")
    assert response.status_code == 404
    assert b"No account matches" in reauthed(cast.admin).get("/manage/?q=cli").content


def test_it_refuses_a_supervisor_leaving_the_role_while_supervising(cast, other_admin):
    with pytest.raises(ValidationError, match="another supervisor first"):
        change_account(other_admin, cast.supervisor, AccountChange("S", "therapist", None, True))
