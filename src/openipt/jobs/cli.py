"""`openipt worker` (the queue's worker and scheduler) and `openipt jobs` (state, run now)."""

from __future__ import annotations

import logging
import os
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

jobs_app = typer.Typer(help="Scheduled jobs and the job queue.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openipt.settings")
    import django

    django.setup()


def _fail(message: str) -> NoReturn:
    err.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(1)


def worker_cmd(
    workers: Annotated[int, typer.Option(help="Worker threads", min=1, max=32)] = 2,
    once: Annotated[
        bool, typer.Option("--once", help="Run what is due now, then stop (for cron)")
    ] = False,
) -> None:
    """Run jobs from the queue and the schedule (alerts, reminders, backups) until stopped."""
    _setup()
    from django.conf import settings

    from openipt.jobs.queue import consumer, queue_state, run_cycle

    if once:
        console.print(f"Ran {run_cycle()} jobs.")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    state = queue_state()
    console.print(
        f"Worker: {workers} threads on the queue {state['name']!r} in {state['where']}; "
        f"sweeps every {settings.OPENIPT_WORKER_TICK_SECONDS} s (Ctrl-C stops it)."
    )
    consumer(workers).run()


@jobs_app.command("status")
def status() -> None:
    """Show the queue, the last run of each scheduled job and the failures."""
    _setup()
    from openipt.jobs.report import report

    state = report()
    console.print(f"Queue: {state.where}, {state.queued} waiting, {state.scheduled} scheduled.")
    table = Table("job", "last run", "result")
    for name, run in state.runs.items():
        when = f"{run.started_at:%Y-%m-%d %H:%M}" if run else "never"
        result = ("ok" if run.ok else "FAILED" if run.ok is False else "running") if run else ""
        table.add_row(name, when, f"{result} {run.detail if run else ''}".strip())
    console.print(table)
    console.print(
        f"Failed jobs: {state.failed_jobs}; messages not delivered: {state.failed_messages}."
    )


@jobs_app.command("run")
def run_now(
    name: Annotated[str, typer.Argument(help="backup, purge, summaries or expire_links")],
) -> None:
    """Run one scheduled job now, in this process, and record it like a scheduled run."""
    _setup()
    from openipt.jobs.maintenance import JOBS

    if name not in JOBS:
        _fail(f"No job {name!r}; choose one of {', '.join(JOBS)}.")
    try:
        console.print(JOBS[name]())
    except Exception as exc:  # noqa: BLE001 - recorded on the run; say it plainly
        _fail(f"{type(exc).__name__}: {exc}")


@jobs_app.command("watch-open-alerts")
def watch_open_alerts_cmd() -> None:
    """Start notifications and escalation for open alerts raised before they existed."""
    _setup()
    from openipt.notify.escalation import watch_open_alerts

    console.print(f"Escalation started for {watch_open_alerts()} open alerts.")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main command line."""
    app.command("worker")(worker_cmd)
    app.add_typer(jobs_app, name="jobs")
