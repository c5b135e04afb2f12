"""`openipt summaries refresh`: recompute the course summary columns after a settings change.

The columns (latest scores, measure due or missed, not on track, outcome classes) are kept
up to date as sessions and scores are saved. A change of the measure schedule, the outcome
rules or an upgrade that adds a column leaves the stored values of the rules in force
before; this recomputes them, one course per transaction.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

summaries_app = typer.Typer(help="The courses' summary columns.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main command line."""
    app.add_typer(summaries_app, name="summaries")


@summaries_app.command("refresh")
def refresh(
    course: Annotated[int | None, typer.Option(help="One course id; default every course.")] = None,
    active_only: Annotated[
        bool, typer.Option("--active-only", help="Only courses still running.")
    ] = False,
) -> None:
    """Recompute the summary columns of one course or of every course."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openipt.settings")
    import django

    django.setup()
    from openipt.assessments.summary import refresh_course_summary
    from openipt.courses.models import Course

    courses = Course.objects.order_by("pk")
    if course is not None:
        courses = courses.filter(pk=course)
        if not courses.exists():
            err.print(f"No course with id {course}.")
            raise typer.Exit(1)
    if active_only:
        courses = courses.filter(status=Course.Status.ACTIVE)
    total, changed = courses.count(), 0
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Recomputing summaries", total=total)
        for row in courses.iterator(chunk_size=500):
            changed += bool(refresh_course_summary(row, force=True))
            progress.advance(task)
    if changed:
        from openipt.core import kept

        kept.changed_everything()  # the pages kept from the old columns are made again
    console.print(f"Recomputed {total} course summaries; {changed} changed.")
