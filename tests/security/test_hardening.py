"""Hardening: CSP and other headers, production settings and `check --deploy`, API rate
limits, and templates that a strict CSP can serve."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from tests.factories import PASSWORD, make_user
from tests.security.routes import page_routes
from tests.security.rules import rule_for


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def test_it_sends_a_strict_content_security_policy(cast, login):
    policy = _policy(login(cast.therapist).get("/clients/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


def test_it_relaxes_only_styles_for_the_api_docs(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]


def test_it_sends_the_other_security_headers(cast, login):
    response = login(cast.therapist).get("/clients/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cache-Control"] == "no-store, private"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_it_gives_every_response_its_own_request_id(db):
    client = Client()
    ids = {client.get(path)["X-Request-ID"] for path in ("/healthz", "/nowhere/", "/healthz")}
    assert len(ids) == 3


def _no_inline_code(html: str) -> list[str]:
    problems = []
    for match in re.finditer(r"<script\b([^>]*)>", html, re.IGNORECASE):
        attrs = match.group(1)
        if "src=" not in attrs and "application/json" not in attrs:
            problems.append(f"inline script: {match.group(0)[:80]}")
    problems += [f"style attribute: {m[:60]}" for m in re.findall(r"<[^>]+\sstyle=[^>]*>", html)]
    problems += [f"handler: {m[:60]}" for m in re.findall(r"<[^>]+\son[a-z]+=[^>]*>", html)]
    problems += [f"inline style element: {m[:60]}" for m in re.findall(r"<style\b[^>]*>", html)]
    return problems


def test_it_renders_every_page_without_inline_scripts_or_styles(world):
    """What the strict CSP would block: checked on every page the matrix knows."""
    users = {"owner": world.owner, "client": world.client_user, "admin": world.admin}
    problems, pages = [], 0
    for user in users.values():
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for route in page_routes():
            rule = rule_for(route)
            if rule is None or rule.read is None or route.view_name == "api:openapi-view":
                continue
            try:
                response = client.get(route.url(world))
            except Exception as exc:  # noqa: BLE001 - a broken page is reported, not fatal
                problems.append(f"{route.id}: raised {type(exc).__name__}: {exc}")
                continue
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                pages += 1
                problems += [f"{route.id}: {p}" for p in _no_inline_code(response.content.decode())]
    for path in ("/accounts/login/", "/accounts/2fa/", "/accounts/password/change/"):
        client = Client()
        client.force_login(world.owner, backend="django.contrib.auth.backends.ModelBackend")
        problems += [f"{path}: {p}" for p in _no_inline_code(client.get(path).content.decode())]
    assert pages > 20
    assert not sorted(set(problems)), "\n".join(sorted(set(problems)))


# Production settings, checked in a fresh interpreter as production would start


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENIPT_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        OPENIPT_ENV="production",
        OPENIPT_SECRET_KEY="s" * 20 + "-production-secret-key-for-the-deploy-check-0123",
        OPENIPT_ALLOWED_HOSTS="ipt.example.org",
        OPENIPT_FIELD_KEYS=Fernet.generate_key().decode(),
        OPENIPT_AUDIT_KEYS=Fernet.generate_key().decode(),
        OPENIPT_DATA_DIR=os.environ.get("OPENIPT_DATA_DIR", "var"),
        DJANGO_SETTINGS_MODULE="openipt.settings",
    )
    env.update(extra)
    return env


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_it_passes_check_deploy_under_production_settings():
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_turns_on_secure_cookies_hsts_and_mfa_in_production():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.OPENIPT_REQUIRE_MFA, s.DEBUG, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    )
    result = _python(code, _production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        *("True", "True", "True", "True", "31536000", "True", "True", "False"),
        *("__Host-openipt_session", "__Host-openipt_csrf"),
    ]


def test_it_hashes_passwords_with_argon2_in_production():
    # The suite hashes with MD5 for speed (tests/conftest.py); the product must not.
    code = (
        "import django; django.setup(); from django.contrib.auth.hashers import make_password; "
        "print(make_password('a long pass phrase').split('$')[0])"
    )
    result = _python(code, _production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "argon2"


def test_it_keeps_argon2_first_in_the_settings_module(db):
    from django.test import override_settings

    from openipt import settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=real.PASSWORD_HASHERS):
        user = make_user(username="argon", role="therapist")
        assert user.password.startswith("argon2$")
        assert user.check_password(PASSWORD)


def test_it_reports_a_production_without_mfa_in_the_checks():
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy"],
        env=_production_env(OPENIPT_REQUIRE_MFA="false"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "openipt.W001" in result.stdout + result.stderr


# API rate limits


@pytest.fixture
def tight_limits(settings):
    settings.OPENIPT_API_RATE_USER = "3/m"
    settings.OPENIPT_API_RATE_ANON = "2/m"
    return settings


def test_it_limits_each_api_user_with_429_and_json(tight_limits, cast, client, token_for):
    headers = token_for(cast.therapist)
    assert [client.get("/api/v1/clients", **headers).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/clients", **headers)
    assert refused.status_code == 429
    assert refused.json()["detail"] == "Too many requests."
    assert int(refused["Retry-After"]) > 0
    other = token_for(cast.outsider)  # another user keeps their own allowance
    assert client.get("/api/v1/clients", **other).status_code == 200


def test_it_limits_failed_authentication_per_address(tight_limits, cast, client, token_for):
    bad = {"HTTP_AUTHORIZATION": "Bearer oipt_guess"}
    assert [client.get("/api/v1/clients", **bad).status_code for _ in range(2)] == [401, 401]
    refused = client.get("/api/v1/clients", **bad)
    assert refused.status_code == 429 and "failed authentications" in refused.json()["detail"]
    assert client.get("/api/v1/clients", **token_for(cast.therapist)).status_code == 200


def test_it_refuses_a_malformed_rate_in_the_checks(settings):
    from openipt.audit.checks import check_security_settings

    settings.OPENIPT_API_RATE_USER = "lots"
    assert "openipt.E004" in [m.id for m in check_security_settings()]


@pytest.mark.parametrize(
    "rate, parsed", [("1200/m", (1200, 60)), ("10/5s", (10, 5)), ("3/day", (3, 86400))]
)
def test_it_reads_rates(rate, parsed):
    from openipt.core.throttling import parse_rate

    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "ten/m", "5/fortnight", "5", "5/m/2"])
def test_it_refuses_unreadable_rates(rate):
    from openipt.core.throttling import parse_rate

    with pytest.raises(ValueError):
        parse_rate(rate)
