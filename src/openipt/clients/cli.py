"""`openipt client safety-plan ID`: print a client's safety plan in use on the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

client_app = typer.Typer(help="Clients: their safety plan.", no_args_is_help=True)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main command line."""
    app.add_typer(client_app, name="client")


@client_app.command("safety-plan")
def safety_plan(client_id: Annotated[int, typer.Argument(help="The client's id")]) -> None:
    """Print the client's safety plan in use (its latest version); the read is audited."""
    from openipt.cli import _setup

    _setup()
    from openipt.clients.models import Client
    from openipt.clients.safety import current_plan
    from openipt.privacy import audit

    client = Client.objects.filter(pk=client_id, erasure__isnull=True).first()
    if client is None:
        err.print(f"[bold red]Error:[/] No client with id {client_id}.")
        raise typer.Exit(1)
    plan = current_plan(client)
    audit.record("cli", client.pk, what="safety_plan")
    if plan is None:
        console.print(f"{escape(client.name)} has no safety plan yet.")
        return
    shared = "shared with the client" if plan.shared_with_client else "not shared with the client"
    made = f"{plan.made_at:%d %b %Y}, {plan.made_by}"
    console.print(
        f"[bold]Safety plan of {escape(client.name)}[/], version {plan.version} "
        f"({escape(made)}; {shared})"
    )
    for _name, label, text in plan.sections():
        console.print(
            f"\n[bold]{escape(label[:1].upper() + label[1:])}[/]\n{escape(text or '(empty)')}"
        )
