"""CLI commands of the audit area: `openipt audit verify` and `openipt audit export`."""

from __future__ import annotations

import csv
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

audit_app = typer.Typer(help="The audit trail of reads of health data.", no_args_is_help=True)
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
def verify() -> None:
    """Recompute the hash chain; exit 1 naming every edited or deleted event."""
    _setup()
    from openipt.audit.services import verify_chain

    result = verify_chain()
    if result.ok:
        console.print(
            f"[green]OK[/]: the audit trail is intact ({result.checked} events). "
            f"Head hash: {result.head_hash}"
        )
        return
    for problem in result.problems:
        err.print(f"[bold red]Tampered:[/] {problem.message}")
    err.print(
        f"{len(result.problems)} problem(s) in {result.checked} events: the audit trail "
        "was changed outside OpenIPT. Keep this output and compare with a backup."
    )
    raise typer.Exit(1)


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
