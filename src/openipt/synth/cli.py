"""`openipt synth`: fill an empty database with a synthetic service, with a progress bar."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from openipt.synth.config import DEFAULT_PASSWORD

console = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(code)


def synth(
    courses: Annotated[int, typer.Option(help="Courses to create (follow-ons included)", min=1)],
    therapists: Annotated[
        int | None, typer.Option(help="Therapists (default: one per 250 courses)", min=1)
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data")] = 1,
    today: Annotated[
        str | None, typer.Option(help="Anchor date YYYY-MM-DD (default: today)")
    ] = None,
    big_caseload: Annotated[
        int, typer.Option(help="Give one extra therapist this many active courses", min=0)
    ] = 0,
    item9_rate: Annotated[
        float, typer.Option(help="Share of PHQ-9s with item 9 above 0 [S63]", min=0, max=1)
    ] = 0.10,
    password: Annotated[
        str, typer.Option(help="Password of every synthetic user")
    ] = DEFAULT_PASSWORD,
    batch: Annotated[int, typer.Option(help="Courses per transaction", min=1)] = 2000,
    manifest: Annotated[
        Path | None, typer.Option(help="Write usernames, counts and timing as JSON here")
    ] = None,
    append: Annotated[bool, typer.Option(help="Add to a database that holds data")] = False,
    groups: Annotated[
        int, typer.Option(help="Also make this many WHO group IPT groups", min=0)
    ] = 0,
    force: Annotated[bool, typer.Option(help="Run even when OPENIPT_ENV=production")] = False,
) -> None:
    """Create a realistic synthetic service: staff, referrals, courses, scores and alerts."""
    from openipt.cli import _setup

    _setup()
    from openipt.synth.config import SynthConfig
    from openipt.synth.service import SynthRefused, generate

    anchor = None
    if today is not None:
        try:
            anchor = datetime.date.fromisoformat(today)
        except ValueError:
            _fail(f"--today must be a date like 2026-01-31, not {today!r}.", 2)
    try:
        config = SynthConfig(
            courses=courses, therapists=therapists, seed=seed, today=anchor,
            big_caseload=big_caseload, item9_rate=item9_rate, password=password,
            batch_courses=batch,
        )  # fmt: skip
    except ValueError as exc:
        _fail(str(exc), 2)
    columns = (
        TextColumn("[bold]Synthetic service"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("courses  {task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("synth", total=courses, rate="")

        def progress(done: int, counts) -> None:
            elapsed = bar.tasks[0].elapsed or 1e-9
            rate = f"{counts.assessment_rows / elapsed:,.0f} assessment rows/s"
            bar.update(task, completed=done, rate=rate)

        try:
            result = generate(config, append=append, force=force, on_progress=progress)
        except SynthRefused as exc:
            bar.stop()
            _fail(str(exc))
    if groups:
        from openipt.synth.groups import make_groups

        made = make_groups(
            groups, config.seed, result.today, config.password, result.usernames["therapists"]
        )
        result.usernames["facilitators"] = made.facilitators
        result.usernames["group_supervisors"] = made.supervisors
        result.groups = made.groups
        console.print(f"Made {len(made.groups)} groups with {len(made.facilitators)} facilitators.")
    _report(result, manifest)


def _report(result, manifest: Path | None) -> None:
    counts = result.counts
    console.print(
        f"Created {counts.courses:,} courses, {result.rows['client']:,} clients, "
        f"{result.rows['session']:,} sessions, {counts.administrations:,} questionnaires with "
        f"{counts.item_answers:,} item answers and {counts.alerts:,} alerts "
        f"({counts.open_alerts:,} open) in {result.seconds:,.1f} s: "
        f"{result.assessment_rows_per_second:,.0f} assessment rows/s."
    )
    names = result.usernames
    console.print(
        f"Sign in as {names['supervisors'][0]} (supervisor) or {names['therapists'][0]} "
        f"(therapist); every synthetic user's password is {result.config.password!r}."
    )
    if manifest is not None:
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text(json.dumps(result.manifest(), indent=2) + "\n")
        console.print(f"Manifest written to {manifest}.")


def register(app: typer.Typer) -> None:
    """Add `openipt synth` to the command line."""
    app.command("synth")(synth)
