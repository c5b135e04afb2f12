"""`openipt invite --client ID`: make a portal invitation and print its link last."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main command line."""
    app.command("invite")(invite)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openipt.settings")
    import django

    django.setup()


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(code)


def invite(
    client: Annotated[str, typer.Option(help="The client's id or record number")],
    email: Annotated[
        bool, typer.Option("--email/--no-email", help="Also e-mail it to the client")
    ] = False,
) -> None:
    """Invite a client to the portal on behalf of their therapist; the link is the last line."""
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import formats, timezone

    from openipt.clients.models import Client
    from openipt.core.errors import summary_of
    from openipt.portal.services import invite_client

    query = Client.objects.select_related("primary_therapist", "user")
    found = query.filter(record_number=client).first()
    if found is None and client.isdigit():
        found = query.filter(pk=int(client)).first()
    if found is None:
        _fail(f"No client with the id or record number {client!r}.")
    assert found is not None
    try:
        issued = invite_client(found.primary_therapist, found, send_email=email)
    except ValidationError as exc:
        _fail(summary_of(exc))
    except PermissionDenied as exc:
        _fail(str(exc))
    expires = formats.date_format(timezone.localtime(issued.link.expires_at), "j M Y, H:i")
    err.print(f"Invitation for {found.name} ({found.record_number}), valid once until {expires}.")
    err.print(f"Code: {issued.secret}")
    if email:
        err.print(f"Sent to {found.email}.")
    print(issued.url)
