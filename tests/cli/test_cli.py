"""The CLI through its real entry point, against the test database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openipt.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def run(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_it_creates_a_user_from_two_stdin_lines(cast):
    result = run(
        "createuser",
        "--username",
        "newt",
        "--role",
        "therapist",
        "--supervisor",
        "sup",
        stdin="long-password-9\nlong-password-9\n",
    )
    from openipt.accounts.models import User

    assert result.exit_code == 0, result.output
    user = User.objects.get(username="newt")
    assert user.supervisor == cast.supervisor
    assert user.check_password("long-password-9")


@pytest.mark.parametrize(
    ("args", "stdin", "message", "code"),
    [
        (["--role", "wizard"], "long-password-9\nlong-password-9\n", "Role must be one of", 2),
        (["--role", "therapist"], "long-password-9\nother-password-9\n", "differ", 1),
        (["--role", "therapist"], "short\nshort\n", "too short", 1),
        (["--role", "therapist"], "only-one-line\n", "two lines", 1),
        (
            ["--role", "client", "--supervisor", "sup"],
            "long-password-9\nlong-password-9\n",
            "Only a therapist or a facilitator has a supervisor",
            1,
        ),
        (
            ["--role", "therapist", "--supervisor", "ghost"],
            "long-password-9\nlong-password-9\n",
            "No supervisor called",
            1,
        ),
    ],
)
def test_it_refuses_bad_createuser_input(cast, args, stdin, message, code):
    result = run("createuser", "--username", "badu", *args, stdin=stdin)
    assert result.exit_code == code
    assert message in result.output


def test_it_refuses_a_duplicate_username(cast):
    result = run(
        "createuser",
        "--username",
        "ther",
        "--role",
        "therapist",
        stdin="long-password-9\nlong-password-9\n",
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_it_prints_the_token_alone_on_the_last_line(cast):
    from openipt.accounts.models import ApiToken

    result = run("token", "create", "--user", "ther")
    assert result.exit_code == 0
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("oipt_")
    assert ApiToken.user_for(secret) == cast.therapist


def test_it_refuses_a_token_for_an_unknown_user(cast):
    result = run("token", "create", "--user", "nobody")
    assert result.exit_code == 1
    assert "No active user" in result.output


def test_it_loads_demo_data_idempotently():
    from openipt.accounts.models import User
    from openipt.clients.models import Client

    assert run("demo").exit_code == 0
    counts = (User.objects.count(), Client.objects.count())
    second = run("demo")
    assert second.exit_code == 0
    assert (User.objects.count(), Client.objects.count()) == counts
    assert "demo-therapist" in second.output


def test_it_skips_demo_data_when_users_exist(cast):
    result = run("demo", "--if-empty")
    assert "skipped" in result.output


def test_it_checks_the_configuration_and_database():
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
    assert "Cache: " in result.output
    assert "every read is linked" in result.output


def test_it_reports_reads_waiting_to_be_linked_into_the_audit_chain(cast):
    from openipt.audit.services import record_access

    record_access(cast.therapist, "view", "client", {"client_id": 1}, chain=False)
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "1 reads stored, waiting to be linked" in result.output


def test_it_fails_the_check_when_the_cache_does_not_answer(monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(cache, "set", down)
    result = run("check")
    assert result.exit_code == 1
    assert "does not answer" in result.output


def test_it_is_not_ready_when_the_cache_does_not_answer(client, monkeypatch):
    from django.core.cache import cache

    assert client.get("/readyz").status_code == 200

    def down(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(cache, "get", down)
    assert client.get("/readyz").status_code == 503


def test_it_gives_usage_errors_for_unknown_commands():
    assert run("frobnicate").exit_code == 2
