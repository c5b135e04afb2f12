"""Wrong second-factor codes are failed sign-ins: limited per user and address, and logged."""

from __future__ import annotations

from datetime import timedelta

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.utils import timezone

from tests.conftest import clear_cache
from tests.factories import PASSWORD
from tests.security.test_authentication import current_code, give_totp

CODE_PAGE = "/accounts/2fa/authenticate/"
LOCKED = b"Too many failed sign-in attempts"


def past_the_password(address: str = "203.0.113.7") -> Client:
    """Return a browser from `address` that gave the right password and is asked for a code."""
    browser = Client(REMOTE_ADDR=address)
    response = browser.post("/accounts/login/", {"login": "ther", "password": PASSWORD})
    assert response["Location"].startswith(CODE_PAGE)
    return browser


def wrong_code(browser: Client):
    return browser.post(CODE_PAGE, {"code": "000000"})


def test_it_locks_out_after_the_limit_of_wrong_codes_and_then_refuses_the_right_one(cast, settings):
    secret = give_totp(cast.therapist)
    browser = past_the_password()
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        response = wrong_code(browser)
        assert response.status_code == 200 and LOCKED not in response.content, attempt
    locked = wrong_code(browser)
    assert locked.status_code == 429 and LOCKED in locked.content  # the password's page
    right = browser.post(CODE_PAGE, {"code": current_code(secret)})
    assert right.status_code == 429
    assert browser.get("/clients/").status_code == 302  # never signed in
    # And a fresh sign-in from the same address is locked out as well.
    again = Client(REMOTE_ADDR="203.0.113.7")
    response = again.post("/accounts/login/", {"login": "ther", "password": PASSWORD})
    assert response.status_code == 429


def test_it_lets_the_right_code_in_after_the_cool_off(cast, settings):
    secret = give_totp(cast.therapist)
    browser = past_the_password()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong_code(browser)
    assert browser.post(CODE_PAGE, {"code": current_code(secret)}).status_code == 429
    # Cool-off over: axes' attempts are old, the per-user count has expired.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(days=1))
    clear_cache()
    fresh = past_the_password()
    assert fresh.post(CODE_PAGE, {"code": current_code(secret)}).status_code == 302
    assert fresh.get("/clients/").status_code == 200


def test_it_counts_wrong_recovery_codes_too(cast, settings):
    give_totp(cast.therapist)
    codes = RecoveryCodes.activate(cast.therapist).generate_codes()
    browser = past_the_password()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = browser.post(CODE_PAGE, {"code": "deadbeef"})
    assert last.status_code == 429
    assert browser.post(CODE_PAGE, {"code": codes[0]}).status_code == 429


def test_it_adds_wrong_codes_to_wrong_passwords_from_the_same_address(cast, settings):
    secret = give_totp(cast.therapist)
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        guesser.post("/accounts/login/", {"login": "ther", "password": "wrong-one"})
    browser = past_the_password()
    assert wrong_code(browser).status_code == 429
    assert browser.post(CODE_PAGE, {"code": current_code(secret)}).status_code == 429


def test_it_limits_wrong_codes_per_user_across_addresses(cast, settings):
    """Only someone with the password gets this far, so locking the user harms nobody else."""
    secret = give_totp(cast.therapist)
    for n in range(settings.AXES_FAILURE_LIMIT):
        assert wrong_code(past_the_password(f"198.51.100.{n + 1}")).status_code == 200
    browser = past_the_password("192.0.2.200")
    assert browser.post(CODE_PAGE, {"code": current_code(secret)}).status_code == 429


def test_it_does_not_lock_anyone_else_out(cast, settings, login):
    give_totp(cast.therapist)
    browser = past_the_password()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong_code(browser)
    other = Client(REMOTE_ADDR="203.0.113.7")  # same address, another user
    response = other.post("/accounts/login/", {"login": "sup", "password": PASSWORD})
    assert response.status_code == 302


def test_it_logs_each_wrong_code_beside_wrong_passwords(cast):
    give_totp(cast.therapist)
    Client(REMOTE_ADDR="203.0.113.7").post(
        "/accounts/login/", {"login": "ther", "password": "wrong-one"}
    )
    wrong_code(past_the_password())
    failures = AccessFailureLog.objects.filter(username="ther").order_by("attempt_time")
    assert [(f.path_info, f.ip_address) for f in failures] == [
        ("/accounts/login/", "203.0.113.7"),
        (CODE_PAGE, "203.0.113.7"),
    ]
    assert "000000" not in AccessAttempt.objects.get(username="ther").post_data


def test_it_limits_codes_at_reauthentication(cast, settings):
    secret = give_totp(cast.therapist)
    browser = past_the_password()
    assert browser.post(CODE_PAGE, {"code": current_code(secret)}).status_code == 302
    page = "/accounts/2fa/reauthenticate/"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert browser.post(page, {"code": "000000"}).status_code == 200
    assert browser.post(page, {"code": "000000"}).status_code == 429
    assert browser.post(page, {"code": current_code(secret)}).status_code == 429
