"""`openipt course show|amendments|close|correct`: a course on the command line, with rich.

Reading commands print for the operator; writing commands act as a named therapist
(`--by`), and the same services and policy as the pages decide what they may do.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from openipt.courses.models import Course
from openipt.courses.records import current_foci
from openipt.courses.services import current_phase, next_agenda
from openipt.courses.templatetags.course_tags import area_label, stage_label


def _state_table(course: Course) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    contract = "not agreed yet"
    if course.contract_agreed_on:
        agreed = course.contract_agreed_on.strftime("%d %b %Y")
        contract = f"{course.planned_sessions} {course.frequency} sessions, agreed {agreed}"
    focus = "; ".join(
        area_label(f.area) + (f" ({stage_label(f.dispute_stage)} stage)" if f.dispute_stage else "")
        for f in current_foci(course)
    )
    rows = [
        ("Client", f"{course.client.name} ({course.client.record_number})"),
        ("Therapist", str(course.therapist)),
        ("Format", course.get_format_display()),
        (
            "Status",
            course.get_status_display()
            + (f", ended {course.ended_on:%d %b %Y}" if course.ended_on else ""),
        ),
        ("Phase", current_phase(course).value),
        ("Sessions held", str(course.sessions_attended)),
        ("Contract", contract),
        ("Focus", focus or "not chosen"),
        (
            "Goals",
            "; ".join(f"{g.text} [{g.get_status_display()}]" for g in course.goals.all()) or "none",
        ),
    ]
    if course.end_decision:
        rows.append(("Decision", course.get_end_decision_display()))
    for label, value in rows:
        table.add_row(label, escape(value))
    return table


def show_course(course_id: int, console: Console) -> bool:
    """Print the course; return False when there is no such course."""
    course = Course.objects.select_related("client", "therapist").filter(pk=course_id).first()
    if course is None:
        return False
    console.print(f"[bold]Course {course.pk}[/]")
    console.print(_state_table(course))
    plan = next_agenda(course)
    if plan.ended:
        console.print("\n[bold]Next agenda[/]: this course has ended; nothing is due.")
        return True
    console.print(f"\n[bold]Next agenda[/]: {plan.session_label}, {plan.phase.value} phase")
    for reminder in plan.reminders:
        tags = ", ".join(reminder.sources)
        console.print(f"  [yellow]Reminder:[/] {escape(reminder.message)} [dim]{tags}[/]")
    for task in plan.tasks:
        mark = "overdue" if task.overdue else ("routine" if task.id in _recurring() else "to do")
        console.print(f"  - {escape(task.label)} [dim]({mark})[/]")
    for strategy in plan.strategies:
        console.print(f"  * {escape(strategy.text)}")
    if plan.techniques:
        console.print("  Techniques: " + ", ".join(t.label for t in plan.techniques))
    return True


def _recurring() -> set[str]:
    from openipt.protocol.phases import all_tasks

    return {t.id for t in all_tasks() if t.recurring}


def show_amendments(course_id: int, console: Console) -> bool:
    """Print the course's corrections, newest first; return False when there is no course."""
    from openipt.courses.amendment_log import course_amendments

    course = Course.objects.select_related("client").filter(pk=course_id).first()
    if course is None:
        return False
    entries = course_amendments(course)
    console.print(f"[bold]Corrections of course {course.pk}[/] ({escape(course.client.name)})")
    if not entries:
        console.print("This record has not been corrected.")
        return True
    for entry in entries:
        when = entry.changed_at.strftime("%d %b %Y %H:%M")
        console.print(f"\n[bold]{escape(entry.record)}[/], {when}, {escape(entry.changed_by)}")
        console.print(f"  Why: {escape(entry.reason)}")
        for label, value in entry.previous:
            console.print(f"  {escape(label)} before: {escape(str(value) if value else '(empty)')}")
    return True


def acting_therapist(username: str) -> Any:
    """Return the active user who acts; the services check what they may do."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise LookupError(f"No active user {username!r}.")
    return user
