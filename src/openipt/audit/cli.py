"""CLI commands of the audit area: `openipt audit verify`, `rotate-key` and `export`."""

from __future__ import annotations

import csv
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

audit_app = typer.Typer(help="The audit trail of reads of health data.", no_args_is_help=True)
if TYPE_CHECKING:
    from openipt.audit.verify import Verification

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main command line."""
    app.add_typer(audit_app, name="audit")


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openipt.settings")
    import django

    django.setup()


@audit_app.command("verify")
def verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Check the keyed chain; exit 1 naming every deleted, edited or re-chained event.

    Keep the head it prints (a monitoring job can record the --json output): cutting the
    newest events off together with the head can only be seen against an earlier record.
    """
    _setup()
    from openipt.audit.keys import AuditKeyError
    from openipt.audit.services import verify_chain

    try:
        result = verify_chain()
    except AuditKeyError as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    elif result.ok:
        _print_intact(result)
    else:
        for problem in result.problems:
            err.print(f"[bold red]Tampered:[/] {problem.message}", soft_wrap=True)
        err.print(
            f"{len(result.problems)} problem(s) in {result.checked} events: the audit trail "
            "was changed outside OpenIPT. Keep this output and compare with a backup."
        )
    if not result.ok:
        raise typer.Exit(1)


def _print_intact(result: Verification) -> None:
    console.print(
        f"[green]OK[/]: the audit trail is intact ({result.checked} events). "
        f"Head: #{result.head_seq} {result.head_hash}",
        soft_wrap=True,
    )
    if result.key_ids:
        console.print(f"Signed with audit keys {', '.join(result.key_ids)}, oldest first.")
    if result.legacy:
        console.print(
            f"[yellow]Unkeyed[/]: the first {result.legacy} events were chained before the "
            "chain was keyed (plain SHA-256): the signed head and the keyed events after "
            "them pin them, but a change made to them before the upgrade cannot be seen.",
            soft_wrap=True,
        )


@audit_app.command("rotate-key")
def rotate_key() -> None:
    """Put a new audit key first in the key file and start its segment of the chain.

    The old keys stay in the file: they verify the events they signed. With
    OPENIPT_AUDIT_KEYS, put the new key at its front and restart the servers instead; the
    next link into the chain records the change just the same.
    """
    _setup()
    from openipt.audit import chain, keys

    try:
        old = keys.current()
        new = keys.add_new_key()
        event = chain.start_segment()
    except (keys.AuditKeyError, chain.ChainError) as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(1) from None
    where = f"event #{event.seq}" if event else "the first event"
    console.print(
        f"Audit key {new.id} signs from {where} on; {old.id} and older keys stay in "
        f"{keys.key_file()} to verify what they signed. Back the key file up apart from "
        "the database."
    )


@audit_app.command("export")
def export(
    out: Annotated[
        Path | None, typer.Option("--out", help="CSV file to write (default: standard output)")
    ] = None,
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this username")] = None,
    client: Annotated[int | None, typer.Option(help="Only reads about this client id")] = None,
) -> None:
    """Write access events as CSV; the export itself is recorded in the trail."""
    _setup()
    from openipt.audit.forms import AuditSearchForm
    from openipt.audit.models import AccessEvent
    from openipt.audit.services import csv_rows, record_access

    data = {"date_from": since, "date_to": until, "actor": actor, "client": client}
    form = AuditSearchForm({k: v for k, v in data.items() if v is not None})
    if not form.is_valid():
        problems = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())
        err.print(f"[bold red]Error:[/] {problems}")
        raise typer.Exit(2)
    events = form.filter(AccessEvent.objects.order_by("seq"))
    ids = {"client_id": client} if client else {}
    record_access(None, AccessEvent.Action.CLI, "audit_trail", ids, path="openipt audit export")
    handle = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        writer = csv.writer(handle)
        count = -1
        for row in csv_rows(events):
            writer.writerow(row)
            count += 1
    finally:
        if out:
            handle.close()
    err.print(f"Exported {count} events{f' to {out}' if out else ''} on {date.today()}.")
