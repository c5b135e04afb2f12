"""`openipt group show ID` and `openipt group costs`: groups on the command line.

`show` prints a group, its members and its outcomes over the three denominators; the read
is audited. `costs` sets the cost inputs a service uses for a programme's cost per member.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

group_app = typer.Typer(help="IPT groups: members, sessions and outcomes.", no_args_is_help=True)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main command line."""
    app.add_typer(group_app, name="group")


def _fail(message: str) -> None:
    err.print(f"[bold red]Error:[/] {escape(message)}")
    raise typer.Exit(1)


@group_app.command("show")
def show(group_id: Annotated[int, typer.Argument(help="The group's id")]) -> None:
    """Print a group: programme, staff, members, sessions and outcomes (the read is audited)."""
    from openipt.cli import _setup

    _setup()
    from openipt.audit.services import record_access
    from openipt.groups.models import Group
    from openipt.groups.reports import group_cost, group_outcomes
    from openipt.protocol.groups import get_programme

    group = Group.objects.select_related("clinician", "supervisor").filter(pk=group_id).first()
    if group is None:
        _fail(f"No group with id {group_id}.")
        return
    record_access(None, "cli", "group", {"group_id": group.pk})
    programme = get_programme(group.programme)
    outcomes, members = group_outcomes(group)
    held = group.sessions.count()
    console.print(f"[bold]Group {group.pk}: {escape(group.name)}[/]")
    console.print(f"Programme: {escape(programme.name)} · {group.get_status_display()}")
    staff = ", ".join(str(f) for f in group.facilitators.all()) or "none"
    console.print(f"Clinician: {group.clinician} · supervisor: {group.supervisor}")
    console.print(f"Facilitators: {escape(staff)}")
    console.print(f"Sessions held: {held} of {programme.group_sessions}")
    table = Table("Member", "Present", "PHQ-9", "Status")
    annotated: list[Any] = members  # annotated by reports.member_rows
    for m in annotated:
        scores = str(m.course.phq9_first or "-")
        if m.phq9_n > 1:
            scores += f" -> {m.phq9_end}"
        status = f"left {m.left_on:%d %b %Y}" if m.left_on else "member"
        table.add_row(escape(m.client.name), f"{m.present}/{m.held}", scores, status)
    console.print(table)
    _print_outcomes(outcomes)
    cost = group_cost(group, outcomes)
    if cost is not None:
        console.print(
            f"Cost: {cost.total} {cost.currency} ({cost.facilitator_hours} facilitator hours); "
            f"per member treated {cost.per_member_reached or '-'}, "
            f"per completer {cost.per_completer or '-'}"
        )


def _print_outcomes(outcomes) -> None:  # type: ignore[no-untyped-def]
    console.print(
        f"Enrolled {outcomes.enrolled}, attended >= 1: {outcomes.reached}, "
        f"completed {outcomes.completed}; retention {outcomes.retention.percent()}, "
        f"attendance {outcomes.attendance.percent()}"
    )
    _print_rows(outcomes.rows, "Both scores")
    for fu in outcomes.follow_ups:
        console.print(
            f"Follow-up at {fu.window.months} months (days {fu.window.first}-{fu.window.last} "
            f"after the end), {fu.due} members due; no score in the window = not measured:"
        )
        _print_rows(fu.rows, "Measured")


def _print_rows(rows, measured: str) -> None:  # type: ignore[no-untyped-def]
    table = Table("Denominator", "n", measured, "Mean change", "Recovery", "Remission")
    for row in rows:
        table.add_row(
            row.label,
            str(row.members),
            str(row.measured),
            row.mean_change_text(),
            f"{row.recovery.percent()} ({row.recovery.count}/{row.recovery.total})",
            f"{row.remission.percent()} ({row.remission.count}/{row.remission.total})",
        )
    console.print(table)


@group_app.command("costs")
def costs(
    programme: Annotated[str, typer.Argument(help="The programme's code, e.g. who_8")],
    hourly: Annotated[str, typer.Option("--hourly", help="A facilitator's cost per hour")],
    other: Annotated[str, typer.Option("--other", help="Other costs per group")] = "0",
    currency: Annotated[str, typer.Option("--currency")] = "USD",
) -> None:
    """Set the cost inputs of a programme (the service's own figures)."""
    from openipt.cli import _setup

    _setup()
    from openipt.groups.models import ProgrammeCost
    from openipt.protocol.errors import ProtocolError
    from openipt.protocol.groups import get_programme

    try:
        get_programme(programme)
        hourly_cost, other_cost = Decimal(hourly), Decimal(other)
    except (ProtocolError, InvalidOperation) as error:
        _fail(str(error) or "Give the costs as numbers.")
        return
    if hourly_cost < 0 or other_cost < 0 or len(currency) != 3:
        _fail("Costs cannot be negative; the currency is a three-letter code.")
    ProgrammeCost.objects.update_or_create(
        programme=programme,
        defaults={
            "hourly_cost": hourly_cost,
            "other_cost_per_group": other_cost,
            "currency": currency.upper(),
        },
    )
    console.print(f"Costs of {programme} set.")
