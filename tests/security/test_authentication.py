"""Authentication: MFA for staff, one lockout policy, idle sign-out, re-authentication,
password rules, and the admin's login going through allauth."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.test import Client

from openipt.core.middleware import LAST_SEEN_KEY
from tests.factories import PASSWORD, make_user
from tests.security.routes import page_routes
from tests.security.rules import rule_for

ENROL = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mfa_on(settings):
    settings.OPENIPT_REQUIRE_MFA = True
    return settings


def give_totp(user) -> str:
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(user, secret)
    return secret


def current_code(secret: str) -> str:
    counter = next(totp.yield_hotp_counters_from_time())
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


def sign_in(username: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client()
    response = client.post("/accounts/login/", {"login": username, "password": password})
    return client, response


# MFA


def test_it_sends_staff_without_a_second_factor_to_enrolment(mfa_on, cast, login):
    for user in (cast.therapist, cast.supervisor, cast.admin):
        response = login(user).get("/clients/")
        assert response.status_code == 302 and response["Location"] == ENROL, user


def test_it_keeps_every_clinical_page_from_staff_without_mfa(mfa_on, world, login):
    client = login(world.owner)
    checked = 0
    for route in page_routes():
        rule = rule_for(route)
        if rule is None or rule.read is None or route.view_name.startswith(("core:", "api:")):
            continue
        if route.view_name.startswith("portal:") and route.view_name != "portal:invite":
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(route.url(world))
            assert response.status_code == 302, (method, route.id, response.status_code)
            assert response["Location"] == ENROL, (method, route.id)
            checked += 1
    assert checked > 30


def test_it_leaves_open_only_enrolment_sign_out_and_health_checks(mfa_on, cast, login):
    client = login(cast.therapist)
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/password/change/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/clients/").status_code == 302  # signed out now: to the login page


def test_it_lets_staff_with_a_second_factor_in(mfa_on, cast, login):
    give_totp(cast.therapist)
    assert login(cast.therapist).get("/clients/").status_code == 200


def test_it_does_not_ask_clients_for_a_second_factor(mfa_on, cast, login):
    response = login(cast.client_user).get("/portal/")
    assert response.get("Location", "") != ENROL


def test_it_refuses_api_tokens_of_staff_without_mfa_with_json(mfa_on, cast, client, token_for):
    response = client.get("/api/v1/clients", **token_for(cast.therapist))
    assert response.status_code == 403
    assert "Two-factor authentication is required" in response.json()["detail"]
    give_totp(cast.therapist)
    assert client.get("/api/v1/clients", **token_for(cast.therapist)).status_code == 200


def test_it_refuses_the_api_to_a_session_without_mfa_with_json(mfa_on, cast, login):
    response = login(cast.therapist).get("/api/v1/clients")
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


def test_it_redirects_htmx_requests_to_enrolment(mfa_on, cast, login):
    response = login(cast.therapist).get("/clients/", HTTP_HX_REQUEST="true")
    assert (response.status_code, response["HX-Redirect"]) == (204, ENROL)


def test_it_enrols_and_then_signs_in_with_totp_through_the_real_pages(mfa_on, cast):
    client, response = sign_in("ther")
    assert response.status_code == 302
    assert client.get("/clients/")["Location"] == ENROL
    asked = client.get(ENROL)  # allauth wants the password again before adding a factor
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(asked["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get(ENROL)
    assert page.status_code == 200
    secret = client.session[totp.SECRET_SESSION_KEY]
    done = client.post(ENROL, {"code": current_code(secret)})
    assert done.status_code == 302, done.content[:500]
    stored = Authenticator.objects.get(user=cast.therapist, type="totp")
    assert secret not in str(stored.data)  # kept encrypted with the field keys
    assert client.get("/clients/").status_code == 200

    fresh, response = sign_in("ther")
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert fresh.get("/clients/")["Location"].startswith("/accounts/login/")  # not in yet
    wrong = fresh.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and fresh.get("/clients/").status_code == 302
    time.sleep(0)  # the code above was refused, so the valid one is still unused
    ok = fresh.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert ok.status_code == 302
    assert fresh.get("/clients/").status_code == 200


def test_it_requires_mfa_by_default_only_in_production(settings):
    assert settings.OPENIPT_REQUIRE_MFA is settings.PRODUCTION


def test_it_rotates_mfa_secrets_without_losing_them(cast, settings):
    from openipt.core import crypto
    from openipt.core.mfa import MFAAdapter, rotate_mfa_secrets

    secret = give_totp(cast.therapist)
    old_key = crypto.load_keys()[0]
    settings.OPENIPT_FIELD_KEYS = [crypto.generate_key(), old_key]
    crypto.reset()
    assert rotate_mfa_secrets() == 1
    stored = Authenticator.objects.get(user=cast.therapist)
    assert crypto.opens_with_current_key(stored.data["secret"])
    assert MFAAdapter().decrypt(stored.data["secret"]) == secret


# Lockout: django-axes is the one authority


def test_it_locks_an_account_after_the_configured_failures(cast, settings):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for attempt in range(1, limit):
        response = client.post("/accounts/login/", {"login": "ther", "password": "wrong-one"})
        assert response.status_code == 200, attempt
        assert b"Too many failed sign-in attempts" not in response.content
    locked = client.post("/accounts/login/", {"login": "ther", "password": "wrong-one"})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content  # errors/lockout.html
    right = client.post("/accounts/login/", {"login": "ther", "password": PASSWORD})
    assert right.status_code == 429
    assert client.get("/clients/").status_code == 302  # still signed out


def test_it_lets_axes_alone_decide_even_past_allauths_default_limit(cast, settings):
    settings.AXES_FAILURE_LIMIT = 9  # allauth's own default would stop at 5
    client = Client()
    for _ in range(8):
        response = client.post("/accounts/login/", {"login": "ther", "password": "wrong-one"})
        assert response.status_code == 200
        assert b"Too many failed login attempts" not in response.content  # allauth's wording
    assert (
        client.post("/accounts/login/", {"login": "ther", "password": PASSWORD}).status_code == 302
    )


def test_it_checks_that_allauth_does_not_throttle_logins_too(settings):
    from openipt.audit.checks import check_security_settings

    assert not [m for m in check_security_settings() if m.id == "openipt.E001"]
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m"}
    assert [m.id for m in check_security_settings()] == ["openipt.E001"]


# Idle sign-out


def _age_session(client: Client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time() - minutes * 60)
    session.save()


def test_it_starts_the_idle_clock_at_sign_in(cast, login):
    client = login(cast.therapist)
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5


def test_it_signs_staff_out_after_the_idle_limit(cast, login):
    client = login(cast.therapist)
    _age_session(client, 14)
    assert client.get("/clients/").status_code == 200
    _age_session(client, 16)
    response = client.get("/clients/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fclients%2F"
    assert client.get("/clients/").status_code == 302  # the session is gone


def test_it_gives_clients_a_longer_idle_limit(cast, login, settings):
    client = login(cast.client_user)
    _age_session(client, settings.OPENIPT_IDLE_MINUTES + 5)
    assert "_auth_user_id" in client.session
    client.get("/portal/")
    assert "_auth_user_id" in client.session
    _age_session(client, settings.OPENIPT_CLIENT_IDLE_MINUTES + 1)
    client.get("/portal/")
    assert "_auth_user_id" not in client.session


def test_it_follows_the_idle_setting_and_answers_the_api_in_json(cast, login, settings):
    settings.OPENIPT_IDLE_MINUTES = 5
    client = login(cast.therapist)
    _age_session(client, 6)
    response = client.get("/api/v1/clients")
    assert response.status_code == 401
    assert "without activity" in response.json()["detail"]


# Re-authentication before exports


def test_it_asks_for_the_password_again_before_an_export(cast, settings):
    client, _ = sign_in("adm")
    response = client.get("/audit/export.csv")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Faudit%2Fexport.csv"
    wrong = client.post(response["Location"], {"password": "not-the-password"})
    assert wrong.status_code == 200
    confirmed = client.post(response["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert client.get("/audit/export.csv").status_code == 200
    session = client.session  # re-authentication lasts ACCOUNT_REAUTHENTICATION_TIMEOUT
    for record in session["account_authentication_methods"]:
        record["at"] -= settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1
    session.save()
    assert client.get("/audit/export.csv").status_code == 302


def test_it_sends_anonymous_users_of_reauth_views_to_sign_in(db):
    response = Client().get("/audit/export.csv")
    assert response["Location"].startswith("/accounts/login/")


# Passwords


@pytest.mark.parametrize(
    "password, complaint",
    [
        ("short1!", "too short"),
        ("password123", "too common"),
        ("48213957206", "entirely numeric"),
        ("therapist-ther", "too similar"),
    ],
)
def test_it_refuses_weak_passwords(db, password, complaint):
    from django.core.exceptions import ValidationError

    from openipt.accounts.services import create_user

    with pytest.raises(ValidationError, match=complaint):
        create_user("therapist-ther", "therapist", password)


def test_it_refuses_a_weak_new_password_in_the_change_form(cast):
    client, _ = sign_in("ther")
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "password123", "password2": "password123"},
    )
    assert response.status_code == 200
    assert b"too common" in response.content


# The Django admin cannot be a way around allauth


def test_it_sends_the_admin_login_to_allauth(cast):
    client = Client()
    response = client.get("/admin/login/")
    assert response["Location"].startswith("/accounts/login/")
    posted = client.post("/admin/login/", {"username": "adm", "password": PASSWORD})
    assert posted.status_code == 302 and "_auth_user_id" not in client.session


def test_it_refuses_the_admin_site_to_every_application_role(cast, login):
    # The admin role administers accounts on /manage/ (tests/security/test_admin_separation.py).
    for user in (cast.therapist, cast.admin):
        assert login(user).get("/admin/").status_code in (302, 403)


def test_it_accepts_a_long_passphrase_exactly_as_typed(db):
    phrase = "Correct horse battery staple, said the therapist, 64 chars long!!"
    assert len(phrase) >= 64
    make_user(username="longpass", role="therapist", password=phrase)
    assert sign_in("longpass", phrase)[1].status_code == 302
    assert sign_in("longpass", phrase.lower())[1].status_code == 200  # not case-folded


def test_it_clears_what_the_browser_kept_on_sign_out(cast, login):
    response = login(cast.therapist).post("/accounts/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_it_ends_the_sessions_and_tokens_of_a_deactivated_user(cast, login, client, token_for):
    headers = token_for(cast.therapist)
    browser = login(cast.therapist)
    assert browser.get("/clients/").status_code == 200
    cast.therapist.is_active = False
    cast.therapist.save()
    assert browser.get("/clients/")["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/clients", **headers).status_code == 401
