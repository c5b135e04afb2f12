"""Behind a reverse proxy: one client address for the lockout, the API limits and the audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from openipt.core.addresses import client_address, trusted_proxies
from tests.factories import PASSWORD

PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.OPENIPT_TRUSTED_PROXIES = ["10.0.0.0/24"]
    return settings


def address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def via(client_ip: str) -> Client:
    """Return a browser whose requests reach the app through the proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def test_it_ignores_forwarded_for_when_no_proxy_is_trusted(settings):
    settings.OPENIPT_TRUSTED_PROXIES = []
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert address(PROXY, "198.51.100.1") == PROXY


def test_it_reads_forwarded_for_from_the_right_only_through_trusted_proxies(behind_proxy):
    assert address(PROXY, "198.51.100.1") == "198.51.100.1"
    # A client's own claim sits left of what our proxy appended, and is not believed.
    assert address(PROXY, "1.1.1.1, 198.51.100.1") == "198.51.100.1"
    # Two trusted proxies in a row are walked past.
    assert address(PROXY, "198.51.100.1, 10.0.0.9") == "198.51.100.1"
    # A request that skipped the proxy is taken at its word: its own address.
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert address(PROXY) == PROXY


@pytest.mark.parametrize(
    "forwarded, expected",
    [
        ("198.51.100.1:5555", "198.51.100.1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:198.51.100.1", "198.51.100.1"),
        ("not-an-address", PROXY),
        ("198.51.100.1, garbage", PROXY),
        ("", PROXY),
    ],
)
def test_it_reads_ports_ipv6_and_garbage_safely(behind_proxy, forwarded, expected):
    assert address(PROXY, forwarded) == expected


def test_it_refuses_a_misspelt_proxy_setting():
    assert trusted_proxies(["10.0.0.1", "192.168.0.0/16", "::1"]) == [
        "10.0.0.1/32",
        "192.168.0.0/16",
        "::1/128",
    ]
    with pytest.raises(ImproperlyConfigured, match="OPENIPT_TRUSTED_PROXIES"):
        trusted_proxies(["10.0.0.300"])


def test_it_locks_one_client_out_behind_the_proxy_but_not_another(behind_proxy, cast):
    guesser = via("198.51.100.1")
    for _ in range(behind_proxy.AXES_FAILURE_LIMIT):
        locked = guesser.post("/accounts/login/", {"login": "ther", "password": "wrong-one"})
    assert locked.status_code == 429
    right = {"login": "ther", "password": PASSWORD}
    assert guesser.post("/accounts/login/", right).status_code == 429
    assert via("198.51.100.2").post("/accounts/login/", right).status_code == 302


def test_it_does_not_let_a_spoofed_forwarded_for_escape_the_lockout(settings, cast):
    settings.OPENIPT_TRUSTED_PROXIES = []
    for n in range(settings.AXES_FAILURE_LIMIT):
        guesser = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        last = guesser.post("/accounts/login/", {"login": "ther", "password": "wrong-one"})
    assert last.status_code == 429
    fresh = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.1")
    right = {"login": "ther", "password": PASSWORD}
    assert fresh.post("/accounts/login/", right).status_code == 429


def test_it_limits_failed_api_authentication_per_client_behind_the_proxy(behind_proxy, cast):
    behind_proxy.OPENIPT_API_RATE_ANON = "2/m"
    bad = {"HTTP_AUTHORIZATION": "Bearer oipt_guess"}
    guesser = via("198.51.100.1")
    assert [guesser.get("/api/v1/clients", **bad).status_code for _ in range(3)] == [401, 401, 429]
    assert via("198.51.100.2").get("/api/v1/clients", **bad).status_code == 401


def test_it_records_the_client_address_in_the_write_audit(behind_proxy, cast, login):
    from auditlog.models import LogEntry

    browser = login(cast.therapist)
    edit = {"name": "Carla Client", "record_number": "R-1", "show_progress_to_client": "on"}
    for remote, forwarded, recorded in [
        (PROXY, "198.51.100.1", "198.51.100.1"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not through the proxy: spoofed
    ]:
        edit["name"] += "!"
        response = browser.post(
            f"/clients/{cast.client.pk}/edit/",
            edit,
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        assert response.status_code == 302
        entry = LogEntry.objects.get_for_object(cast.client).latest("timestamp")
        assert entry.remote_addr == recorded
