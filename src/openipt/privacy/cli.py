"""CLI commands of the privacy area: field keys, backups, exports, erasure and purge."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

# No soft wrapping: messages stay on one line when piped to a log or another program.
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
keys_app = typer.Typer(
    help="Field-encryption keys (kept outside the database).", no_args_is_help=True
)


def _setup() -> None:
    from openipt.cli import _setup as setup

    setup()


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(code)


def _errors_text(exc: Exception) -> str:
    from openipt.cli import _errors_text as text

    return text(exc)


@keys_app.command("generate")
def keys_generate(
    write: Annotated[
        bool, typer.Option(help="Create the key file (OPENIPT_FIELD_KEY_FILE) if it is absent")
    ] = False,
) -> None:
    """Print a new key for OPENIPT_FIELD_KEYS, or create the key file with one."""
    from openipt.core import crypto

    if not write:
        print(crypto.generate_key())
        return
    _setup()
    path = crypto.key_file()
    if not crypto.create_key_file(path):
        _fail(f"{path} exists already; use `openipt keys rotate` to change keys.")
    console.print(f"Created {path} (mode 600). Keep a copy apart from the database backups.")


@keys_app.command("status")
def keys_status() -> None:
    """Show where the keys come from and which sensitive fields are encrypted."""
    _setup()
    from openipt.core import crypto
    from openipt.privacy.encryption import sensitive_field_status

    source = "OPENIPT_FIELD_KEYS" if crypto.keys_from_environment() else str(crypto.key_file())
    try:
        keys = crypto.load_keys()
    except crypto.FieldKeyError as exc:
        _fail(str(exc))
    console.print(f"Keys from {source}: " + ", ".join(crypto.fingerprint(k) for k in keys))
    table = Table("field", "encrypted at rest")
    for status in sensitive_field_status():
        state = "yes" if status.encrypted else ("no" if status.exists else "no such field")
        table.add_row(status.label, state)
    console.print(table)


@keys_app.command("rotate")
def keys_rotate(
    drop_old: Annotated[
        bool, typer.Option(help="Remove the old keys from the key file once all is re-encrypted")
    ] = False,
    batch: Annotated[int | None, typer.Option(help="Rows per transaction", min=1)] = None,
) -> None:
    """Put a new key first, re-encrypt every encrypted value under it, optionally drop old keys.

    With OPENIPT_FIELD_KEYS, first put a new key (`openipt keys generate`) at its front and
    restart the servers; this command then re-encrypts under it.
    """
    _setup()
    from openipt.core import crypto
    from openipt.privacy.encryption import rotate_all, stale_values

    from_env = crypto.keys_from_environment()
    if from_env and drop_old:
        _fail("Keys come from OPENIPT_FIELD_KEYS: remove old keys there yourself after rotating.")
    try:
        old = crypto.load_keys()
    except crypto.FieldKeyError as exc:
        _fail(str(exc))
    if not from_env:
        new = crypto.generate_key()
        crypto.write_key_file(crypto.key_file(), [new, *old])
        console.print(f"New key {crypto.fingerprint(new)} added in front of {len(old)} old.")

    def progress(label: str, count: int) -> None:
        console.print(f"  {label}: {count} re-encrypted")

    try:
        total = sum(rotate_all(batch, progress).values())
        # A request that read the keys before the new file was written may have saved a
        # value under the old key meanwhile: one more pass picks those up.
        if stale_values(batch):
            total += sum(rotate_all(batch).values())
        stale = stale_values(batch)
    except crypto.DecryptionError as exc:
        _fail(str(exc))
    current = crypto.fingerprint(crypto.load_keys()[0])
    console.print(f"Re-encrypted {total} values under key {current}.")
    if stale:
        _fail(f"Values still under an old key: {stale}. Old keys kept; run the command again.")
    if drop_old:
        current = crypto.load_keys()[0]
        crypto.write_key_file(crypto.key_file(), [current])
        dropped = ", ".join(crypto.fingerprint(k) for k in old)
        console.print(
            f"Dropped old keys {dropped}. Backups made before now need them: keep them with "
            "those backups or the backups cannot be read."
        )


def _show(verification: Any) -> None:
    table = Table("table", "rows")
    for name, count in verification.counts.items():
        table.add_row(name, str(count))
    console.print(table)
    console.print(
        f"Integrity check: {verification.integrity}; migrations: {verification.migrations}"
    )


def backup_cmd(
    path: Annotated[Path, typer.Argument(help="File to write the backup to")],
    force: Annotated[bool, typer.Option(help="Replace an existing file")] = False,
) -> None:
    """Back up the database to PATH and verify the copy (the field and audit keys are not in it)."""
    _setup()
    from openipt.audit import keys as audit_keys
    from openipt.core import crypto
    from openipt.privacy.backup import BackupError, backup

    if path.exists() and not force:
        _fail(f"{path} exists; choose another name or use --force.")
    try:
        result = backup(path)
    except BackupError as exc:
        _fail(str(exc))
    _show(result)
    where = "OPENIPT_FIELD_KEYS" if crypto.keys_from_environment() else str(crypto.key_file())
    console.print(f"[green]Backup written[/] to {path}.")
    console.print(
        f"The field keys are NOT in the backup: keep a copy of {where} separately; "
        "without it the encrypted notes in this backup cannot be read."
    )
    console.print(
        f"Nor are the audit keys: keep a copy of {audit_keys.source()} as well; "
        "without it the read audit in this backup cannot be verified."
    )


def restore_cmd(
    path: Annotated[Path, typer.Argument(help="Backup file made by `openipt backup`")],
    force: Annotated[bool, typer.Option(help="Overwrite a database that holds data")] = False,
) -> None:
    """Restore the database from PATH after verifying it, then verify the result."""
    _setup()
    from openipt.privacy.backup import BackupError, restore

    try:
        result = restore(path, force=force)
    except BackupError as exc:
        _fail(str(exc))
    _show(result)
    if result.problems or result.key_problems:
        _fail("Restored, but: " + "; ".join(result.problems + result.key_problems))
    console.print("[green]Restored and verified.[/] Run `openipt migrate` if the code is newer.")


def _client(client_id: int) -> Any:
    from openipt.clients.models import Client

    client = Client.objects.filter(pk=client_id).select_related("user").first()
    if client is None:
        _fail(f"No client with id {client_id}.")
    return client


def export_cmd(
    client: Annotated[int, typer.Option("--client", help="The client's id")],
    fmt: Annotated[str, typer.Option("--format", help="json, fhir or pdf")],
    out: Annotated[Path, typer.Option(help="File to write")],
    include_psychotherapy_notes: Annotated[
        bool, typer.Option(help="Include the notes covered by a recorded disclosure")
    ] = False,
) -> None:
    """Export everything held about a client (psychotherapy notes only with a disclosure)."""
    _setup()
    from django.core.exceptions import ValidationError

    from openipt.privacy import audit
    from openipt.privacy.exports import export_file

    record = _client(client)
    try:
        made = export_file(record, fmt, include_notes=include_psychotherapy_notes)
    except ValidationError as exc:
        _fail(_errors_text(exc))
    action = "pdf" if fmt == "pdf" else "export"
    audit.record(action, record.pk, format=fmt, notes=include_psychotherapy_notes)
    out.write_bytes(made.content)
    out.chmod(0o600)
    console.print(f"Wrote {len(made.content)} bytes ({made.content_type}) to {out}.")


def erase_cmd(
    client: Annotated[int, typer.Option("--client", help="The client's id")],
    reason: Annotated[str, typer.Option(help="Why the record is erased")] = "",
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Erase a client: hidden at once, deleted by `openipt purge` after the retention period."""
    _setup()
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from openipt.privacy.erasure import erase_client

    record = _client(client)
    if not yes and not typer.confirm(f"Erase the record {record.record_number}?"):
        _fail("Nothing erased.")
    try:
        erasure = erase_client(None, record, reason)
    except ValidationError as exc:
        _fail(_errors_text(exc))
    console.print(
        f"Erased client {record.pk} as {erasure.pseudonym}; purged after "
        f"{settings.OPENIPT_RETENTION_DAYS} days by `openipt purge`."
    )


def purge_cmd(
    dry_run: Annotated[
        bool, typer.Option(help="List what would be purged, change nothing")
    ] = False,
) -> None:
    """Delete the records of clients erased longer ago than OPENIPT_RETENTION_DAYS."""
    _setup()
    from openipt.privacy.erasure import due_for_purge, purge_due

    if dry_run:
        due = list(due_for_purge())
        for erasure in due:
            console.print(f"Would purge {erasure.pseudonym} (erased {erasure.erased_at:%Y-%m-%d}).")
        console.print(f"{len(due)} records due for purging.")
        return
    results = purge_due()
    for result in results:
        rows = sum(result.deleted.values())
        console.print(f"Purged {result.pseudonym}: {rows} rows deleted.")
    console.print(f"{len(results)} records purged.")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main command line."""
    app.add_typer(keys_app, name="keys")
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
    app.command("export")(export_cmd)
    app.command("erase")(erase_cmd)
    app.command("purge")(purge_cmd)
