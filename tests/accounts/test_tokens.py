"""Finding 8: API tokens expire, end with a password change or deactivation, and their
owner sees when each was last used."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from typer.testing import CliRunner

from openipt.accounts.models import AccountEvent, ApiToken
from openipt.cli import app
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _api(secret: str) -> int:
    return Client().get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def test_it_gives_every_token_ninety_days_by_default(cast):
    token, _ = ApiToken.issue(cast.therapist)
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - dt.timedelta(days=90)) < dt.timedelta(seconds=5)


@override_settings(OPENIPT_API_TOKEN_DAYS=7, OPENIPT_API_TOKEN_MAX_DAYS=30)
def test_it_takes_the_lifetime_from_settings_and_caps_it(cast):
    from django.core.exceptions import ValidationError

    assert (ApiToken.issue(cast.therapist)[0].expires_at - timezone.now()).days == 6
    assert (ApiToken.issue(cast.therapist, days=30)[0].expires_at - timezone.now()).days == 29
    for days in (0, 31):
        with pytest.raises(ValidationError, match="from 1 to 30 days"):
            ApiToken.issue(cast.therapist, days=days)


def test_it_refuses_an_expired_token(cast):
    token, secret = ApiToken.issue(cast.therapist)
    assert _api(secret) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert _api(secret) == 401


@pytest.mark.django_db(transaction=True)
def test_it_gives_tokens_made_before_expiry_existed_ninety_days_from_creation():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0001_initial")], [("accounts", "0003_every_token_expires")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    admin = old.get_model("accounts", "User").objects.create(
        username="old-admin", role="admin", is_staff=True, is_superuser=True
    )
    token = old.get_model("accounts", "ApiToken").objects.create(user=admin, digest="d" * 64)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    migrated = ApiToken.objects.select_related("user").get(pk=token.pk)
    assert migrated.expires_at - migrated.created_at == dt.timedelta(days=90)
    assert (migrated.user.is_staff, migrated.user.is_superuser) == (False, False)


def test_it_ends_every_token_when_the_password_changes_on_the_page(cast):
    _, secret = ApiToken.issue(cast.therapist)
    client = Client()
    client.post("/accounts/login/", {"login": "ther", "password": PASSWORD})
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase-9",
            "password2": "a-new-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert _api(secret) == 401
    event = AccountEvent.objects.get(kind="tokens_revoked", subject=cast.therapist)
    assert event.detail == "1 ended: the password changed"


def test_it_ends_every_token_when_a_reset_link_sets_the_password(cast):
    _, secret = ApiToken.issue(cast.therapist)
    cast.therapist.email = "tom@example.org"
    cast.therapist.save()
    client = Client()
    client.post("/accounts/password/reset/", {"email": "tom@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    new = "reset-long-passphrase-9"
    client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    cast.therapist.refresh_from_db()
    assert cast.therapist.check_password(new)
    assert _api(secret) == 401


def test_it_ends_every_token_when_set_password_is_saved(cast):
    _, secret = ApiToken.issue(cast.therapist)
    cast.therapist.set_password("another-long-passphrase")
    cast.therapist.save()
    assert _api(secret) == 401


def test_it_keeps_tokens_when_sign_in_only_upgrades_the_hash(cast):
    _, secret = ApiToken.issue(cast.therapist)
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
    ):
        assert cast.therapist.check_password(PASSWORD)  # rehashed and saved
    assert cast.therapist.password.startswith("pbkdf2_sha1$")
    assert _api(secret) == 200


def test_it_ends_every_token_on_deactivation_for_good(cast):
    _, secret = ApiToken.issue(cast.therapist)
    cast.therapist.is_active = False
    cast.therapist.save()
    cast.therapist.is_active = True
    cast.therapist.save()
    assert _api(secret) == 401


def test_it_shows_its_owner_when_each_token_was_last_used(cast, login):
    token, secret = ApiToken.issue(cast.therapist, name="reporting")
    _api(secret)
    page = login(cast.therapist).get("/account/tokens/")
    body = page.content.decode()
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert "reporting" in body and timezone.localtime(token.last_used_at).strftime("%H:%M") in body
    assert "no-store" in page["Cache-Control"]


def test_it_issues_a_token_on_the_page_and_shows_the_secret_once(cast, reauthed):
    page = reauthed(cast.therapist)
    response = page.post("/account/tokens/", {"name": "script", "days": "30"})
    secret = re.search(r'value="(oipt_[^"]+)"', response.content.decode()).group(1)
    assert _api(secret) == 200
    token = ApiToken.objects.get(name="script")
    assert (token.user, (token.expires_at - timezone.now()).days) == (cast.therapist, 29)
    assert secret not in page.get("/account/tokens/").content.decode()
    too_long = page.post("/account/tokens/", {"name": "x", "days": "9999"})
    assert b"There is a problem" in too_long.content and b"from 1 to 365 days" in too_long.content


def test_it_lets_the_owner_alone_revoke_a_token_on_the_page(cast, login):
    token, secret = ApiToken.issue(cast.therapist)
    assert login(cast.outsider).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert login(cast.admin).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert _api(secret) == 200
    assert login(cast.therapist).post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert _api(secret) == 401


def test_it_keeps_the_token_page_from_clients(cast, login):
    assert login(cast.client_user).get("/account/tokens/").status_code == 403


def test_it_lists_and_revokes_tokens_on_the_command_line(cast):
    token, secret = ApiToken.issue(cast.therapist, name="cron")
    listed = runner.invoke(app, ["token", "list", "--user", "ther"])
    assert listed.exit_code == 0 and "cron" in listed.output and "active" in listed.output
    revoked = runner.invoke(app, ["token", "revoke", str(token.pk)])
    assert revoked.exit_code == 0, revoked.output
    assert _api(secret) == 401
    assert "cron" not in runner.invoke(app, ["token", "list"]).output
    assert "revoked" in runner.invoke(app, ["token", "list", "--all"]).output


def test_it_revokes_every_token_of_a_user_on_the_command_line(cast):
    secrets = [ApiToken.issue(cast.therapist)[1] for _ in range(2)]
    result = runner.invoke(app, ["token", "revoke", "--user", "ther"])
    assert result.exit_code == 0 and "Revoked 2 tokens" in result.output
    assert [_api(s) for s in secrets] == [401, 401]


def test_it_creates_a_token_with_a_lifetime_on_the_command_line(cast):
    result = runner.invoke(app, ["token", "create", "--user", "ther", "--days", "5"])
    assert result.exit_code == 0, result.output
    token = ApiToken.objects.get(user=cast.therapist)
    assert (token.expires_at - timezone.now()).days == 4
    refused = runner.invoke(app, ["token", "create", "--user", "ther", "--days", "400"])
    assert refused.exit_code == 1 and "365" in refused.output


def test_it_names_a_client_in_the_account_history_by_number_only(cast):
    ApiToken.issue(cast.client_user)
    cast.client_user.is_active = False
    cast.client_user.save()
    event = AccountEvent.objects.get(kind="tokens_revoked")
    assert event.subject_username == f"client #{cast.client_user.pk}"
    assert not AccountEvent.objects.filter(subject_username=cast.client_user.username).exists()
