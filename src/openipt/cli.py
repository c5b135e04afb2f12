"""The `openipt` command line: serve, migrate, demo data, users, tokens and checks."""

from __future__ import annotations

import getpass
import importlib
import os
import sys
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

app = typer.Typer(
    help="OpenIPT: Interpersonal Psychotherapy, programmed and measured.",
    no_args_is_help=True,
    add_completion=False,
)
token_app = typer.Typer(help="Personal access tokens for the REST API.", no_args_is_help=True)
app.add_typer(token_app, name="token")
course_app = typer.Typer(help="IPT courses: state and next agenda.", no_args_is_help=True)
app.add_typer(course_app, name="course")
console = Console()
err = Console(stderr=True)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openipt.settings")
    import django

    django.setup()


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(code)


def _errors_text(exc: Exception) -> str:
    from django.core.exceptions import ValidationError

    from openipt.core.errors import summary_of

    return summary_of(exc) if isinstance(exc, ValidationError) else str(exc)


@app.command()
def migrate() -> None:
    """Create or upgrade the database tables."""
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    console.print("Database is up to date.")


@app.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option(help="Only load when the database has no users")
    ] = False,
) -> None:
    """Load the demo service (idempotent: existing demo records are left alone)."""
    _setup()
    from django.conf import settings

    from openipt.accounts.models import User
    from openipt.demo import DEMO_PASSWORD, DEMO_USERS, load_demo

    if settings.PRODUCTION:
        _fail("Demo data is refused when OPENIPT_ENV=production.")
    if if_empty and User.objects.exists():
        console.print("Demo data skipped: the database already has users.")
    else:
        summary = load_demo()
        console.print(
            f"Demo data ready ({len(summary.created_users)} users and "
            f"{len(summary.created_clients)} clients added)."
        )
    console.print(f"\nDemo accounts (password for all: [bold]{DEMO_PASSWORD}[/]):")
    for username, role, display, _ in DEMO_USERS:
        console.print(f"  {username:18} {role:11} {display}")
    console.print("Log in at http://127.0.0.1:8000/accounts/login/")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes", min=1)] = 2,
) -> None:
    """Serve OpenIPT with gunicorn."""
    _setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    console.print(f"Serving OpenIPT on http://{host}:{port}/ (Ctrl-C stops it)")
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "openipt.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
        # No shared control socket (two servers on one host would clash), and load the app
        # before forking so that no worker pays for the URL map on its first request.
        "--no-control-socket",
        "--preload",
    ]
    os.execv(sys.executable, args)  # noqa: S606 - replace this process with gunicorn


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
    else:
        lines = sys.stdin.read().splitlines()
        if len(lines) < 2:
            _fail("Give the password twice, on two lines of standard input.")
        first, second = lines[0], lines[1]
    if first != second:
        _fail("The two passwords differ.")
    return first


@app.command()
def createuser(
    username: Annotated[str, typer.Option(help="Sign-in name")],
    role: Annotated[str, typer.Option(help="therapist, supervisor, client or admin")],
    supervisor: Annotated[str | None, typer.Option(help="Supervisor's username")] = None,
    display_name: Annotated[str, typer.Option(help="Name shown on pages")] = "",
) -> None:
    """Create a user; the password is asked twice (or read as two lines from stdin)."""
    _setup()
    from django.core.exceptions import ValidationError

    from openipt.accounts.services import ROLES, create_user

    if role not in ROLES:
        _fail(f"Role must be one of {', '.join(ROLES)}, not {role!r}.", 2)
    password = _read_password()
    try:
        user = create_user(
            username, role, password, supervisor=supervisor, display_name=display_name
        )
    except ValidationError as exc:
        _fail(_errors_text(exc))
    console.print(f"Created {user.role} {user.username}.")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option(help="Username of the token's owner")],
    name: Annotated[str, typer.Option(help="A label to recognise the token by")] = "",
    days: Annotated[
        int | None,
        typer.Option(help="Days until it expires (default OPENIPT_API_TOKEN_DAYS, 90)"),
    ] = None,
) -> None:
    """Create a token and print it alone on the last line (it is shown only once)."""
    _setup()
    from django.core.exceptions import ValidationError

    from openipt.accounts.models import User
    from openipt.accounts.tokens import issue_token

    owner = User.objects.filter(username=user, is_active=True).first()
    if owner is None:
        _fail(f"No active user called {user!r}.")
    try:
        token, secret = issue_token(owner, name, days)
    except ValidationError as exc:
        _fail(_errors_text(exc))
    expires = token.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    err.print(
        f"Token for {owner.username}, valid until {expires} (store it now: it is shown once):"
    )
    print(secret)


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option(help="Only this user's tokens")] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Include revoked and expired tokens")
    ] = False,
) -> None:
    """List tokens: id, owner, name, created, last used, expiry and state."""
    _setup()
    from rich.table import Table

    from openipt.accounts.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    if user:
        tokens = tokens.filter(user__username=user)
    if not every:
        tokens = tokens.filter(revoked_at__isnull=True)
    table = Table("id", "owner", "name", "created", "last used", "expires", "state")
    stamp = "%Y-%m-%d %H:%M"
    for token in tokens:
        if not every and token.state == "expired":
            continue
        table.add_row(
            str(token.pk),
            token.user.username,
            token.name,
            token.created_at.strftime(stamp),
            token.last_used_at.strftime(stamp) if token.last_used_at else "never",
            token.expires_at.strftime(stamp),
            token.state,
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int | None, typer.Argument(help="The token's id (see token list)")] = None,
    user: Annotated[str | None, typer.Option(help="Revoke every token of this user")] = None,
) -> None:
    """Revoke one token by id, or every token of a user."""
    _setup()
    from openipt.accounts.models import ApiToken
    from openipt.accounts.tokens import revoke_token

    if (token_id is None) == (user is None):
        _fail("Give a token id or --user, not both.", 2)
    if user is not None:
        count = ApiToken.objects.filter(user__username=user).revoke("revoked on the command line")
        console.print(f"Revoked {count} tokens of {user}.")
        return
    token = ApiToken.objects.filter(pk=token_id).first() if token_id is not None else None
    if token is None:
        _fail(f"No token with id {token_id}.")
    if revoke_token(None, token):
        console.print(f"Revoked token {token_id} of {token.user.username}.")
    else:
        console.print(f"Token {token_id} was already revoked.")


@course_app.command("show")
def course_show(course_id: Annotated[int, typer.Argument(help="The course's id")]) -> None:
    """Print a course's state and the agenda of its next session."""
    _setup()
    from openipt.courses.cli import show_course

    if not show_course(course_id, console):
        _fail(f"No course with id {course_id}.")


@course_app.command("amendments")
def course_amendments(course_id: Annotated[int, typer.Argument(help="The course's id")]) -> None:
    """List the corrections of a course's details, sessions and questionnaires."""
    _setup()
    from openipt.courses.cli import show_amendments

    if not show_amendments(course_id, console):
        _fail(f"No course with id {course_id}.")


def _course_and_actor(course_id: int, by: str) -> tuple[Any, Any]:
    """Return the course and the user who acts on it, or exit with a message."""
    from openipt.courses.cli import acting_therapist
    from openipt.courses.models import Course

    course = Course.objects.select_related("client").filter(pk=course_id).first()
    if course is None:
        _fail(f"No course with id {course_id}.")
    try:
        return course, acting_therapist(by)
    except LookupError as exc:
        _fail(str(exc))


@course_app.command("close")
def course_close(
    course_id: Annotated[int, typer.Argument(help="The course's id")],
    by: Annotated[str, typer.Option("--by", help="Username of the course's therapist")],
    how: Annotated[str, typer.Option(help="dropped_out or opened_in_error")],
    reason: Annotated[str, typer.Option(help="Why the course ends")],
    ended_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """End a course early: the client dropped out, or it was opened in error."""
    _setup()
    import datetime as dt

    from django.core.exceptions import PermissionDenied, ValidationError

    from openipt.courses.services import close_course

    course, actor = _course_and_actor(course_id, by)
    try:
        day = dt.date.fromisoformat(ended_on) if ended_on else None
        closed = close_course(actor, course, how=how, reason=reason, ended_on=day)
    except ValueError:
        _fail("Give --ended-on as YYYY-MM-DD.")
    except (ValidationError, PermissionDenied) as exc:
        _fail(_errors_text(exc))
    console.print(f"Course {closed.pk} closed: {closed.get_status_display()}.")


@course_app.command("correct")
def course_correct(
    course_id: Annotated[int, typer.Argument(help="The course's id")],
    by: Annotated[str, typer.Option("--by", help="Username of the course's therapist")],
    reason: Annotated[str, typer.Option(help="Why a recorded detail is changed")] = "",
    started_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    format: Annotated[str | None, typer.Option("--format", help="The IPT format's code")] = None,
    referrer: Annotated[str | None, typer.Option(help="Who referred the client")] = None,
    confirm_old_start: Annotated[
        bool, typer.Option(help="The start date is right although it is long ago")
    ] = False,
) -> None:
    """Correct a course's details; the previous values are kept as an amendment."""
    _setup()
    import datetime as dt

    from django.core.exceptions import PermissionDenied, ValidationError

    from openipt.courses.services import update_course

    course, actor = _course_and_actor(course_id, by)
    changes: dict[str, object] = {"format": format, "referrer": referrer}
    changes = {name: value for name, value in changes.items() if value is not None}
    try:
        if started_on:
            changes["started_on"] = dt.date.fromisoformat(started_on)
        update_course(actor, course, reason=reason, confirm_old_start=confirm_old_start, **changes)
    except ValueError:
        _fail("Give --started-on as YYYY-MM-DD.")
    except (ValidationError, PermissionDenied) as exc:
        _fail(_errors_text(exc))
    console.print(f"Course {course_id} corrected; the previous values are kept.")


@app.command()
def check() -> None:
    """Check the configuration and that the database answers and is migrated."""
    try:
        _setup()
    except Exception as exc:  # noqa: BLE001 - report any configuration error plainly
        _fail(f"Configuration: {exc}")
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        call_command("check", fail_level="ERROR", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001
        _fail(f"{type(exc).__name__}: {exc}")
    console.print(f"Environment: {settings.OPENIPT_ENV}")
    console.print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    if pending:
        _fail(f"{len(pending)} migrations are not applied: run `openipt migrate`.")
    _check_cache()
    _report_pending_reads()
    _report_jobs()
    console.print("[green]OK[/]: configuration valid, database reachable and migrated.")


def _check_cache() -> None:
    """Say which shared cache serves kept pages and sessions, and that it answers."""
    from django.conf import settings
    from django.core.cache import cache

    where = "Redis" if settings.OPENIPT_REDIS_URL else f"file cache in {settings.OPENIPT_CACHE_DIR}"
    try:
        cache.set("openipt:check", "ok", 10)
        answered = cache.get("openipt:check") == "ok"
    except Exception as exc:  # noqa: BLE001 - any cache failure is reported the same way
        _fail(f"Cache ({where}) does not answer: {type(exc).__name__}: {exc}")
    if not answered:
        _fail(f"Cache ({where}) does not keep what it is given.")
    console.print(f"Cache: {where}")
    if settings.PRODUCTION and not settings.OPENIPT_REDIS_URL:
        console.print(
            "[yellow]Note[/]: without OPENIPT_REDIS_URL the cache is per host; run one app "
            "host, or set Redis so that every host shares kept pages, sessions and limits."
        )
    if not settings.OPENIPT_CRISIS_CONTACTS:
        console.print(
            "[yellow]Warning[/]: OPENIPT_CRISIS_CONTACTS is empty: clients who answer a risk "
            "item see only the general crisis text, not your service's own numbers."
        )
    if settings.PRODUCTION and not settings.OPENIPT_TRUSTED_PROXIES:
        console.print(
            "[yellow]Note[/]: OPENIPT_TRUSTED_PROXIES is empty: behind a reverse proxy every "
            "client then has the proxy's address, and one client's failed sign-ins lock "
            "an account for everyone (docs/deployment.md, reverse proxy)."
        )


def _report_pending_reads() -> None:
    """Say how many reads wait to be linked into the audit chain, and since when."""
    from django.utils import timezone

    from openipt.audit import keys
    from openipt.audit.chain import head_problem
    from openipt.audit.models import ChainHead, PendingAccess

    head = ChainHead.objects.filter(pk=1).first()
    problem = head_problem(head, keys.keyring()) if head is not None else None
    if problem:
        console.print(f"[red]Audit[/]: {problem} Run `openipt audit verify`.")
    console.print(f"Audit keys: {keys.source()}")
    oldest = PendingAccess.objects.order_by("pk").values_list("at", flat=True).first()
    if oldest is None:
        console.print("Audit: every read is linked into the chain.")
        return
    count = PendingAccess.objects.count()
    age = (timezone.now() - oldest).total_seconds()
    console.print(f"Audit: {count} reads stored, waiting to be linked (oldest {age:.0f} s).")


def _report_jobs() -> None:
    """Say where the job queue is, and what an admin must look at (late or failed jobs)."""
    from django.conf import settings

    from openipt.jobs.report import report

    try:
        state = report()
    except Exception as exc:  # noqa: BLE001 - a queue that does not answer is reported
        _fail(f"Job queue does not answer: {type(exc).__name__}: {exc}")
    console.print(f"Jobs: queue in {state.where}, {state.queued} waiting.")
    for problem in state.problems():
        console.print(f"[yellow]Jobs[/]: {problem}.")
    if not settings.OPENIPT_DUTY_EMAIL:
        console.print(
            "[yellow]Warning[/]: OPENIPT_DUTY_EMAIL is empty: an alert nobody acknowledges "
            "goes no further than the supervisor (docs/safety.md)."
        )


CLI_MODULES = (
    "openipt.assessments.cli",
    "openipt.clients.cli",
    "openipt.audit.cli",
    "openipt.groups.cli",
    "openipt.jobs.cli",
    "openipt.privacy.cli",
    "openipt.portal.cli",
    "openipt.synth.cli",
)


def _register_area_commands() -> None:
    """Let each area add its own commands (audit, keys, backups, exports)."""
    for name in CLI_MODULES:
        importlib.import_module(name).register(app)


_register_area_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
