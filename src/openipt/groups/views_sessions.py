"""The group session page: one screen a facilitator runs a session from, on a phone.

Every current member has a row: attendance, check-in rating, homework reviewed and set, a
flag, and the PHQ-9 where the programme schedules it (available at any session, open by
default where scheduled). After the session: the adherence checklist of the session's tasks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openipt import policy
from openipt.core.errors import messages_of, summary_of
from openipt.groups.access import get_group_for_user, get_session_for_user
from openipt.groups.forms import ChecklistForm
from openipt.groups.models import GroupMembership, MemberAttendance
from openipt.groups.sessions import Row, record_checklist, record_group_session, review_session
from openipt.groups.views import group_staff_required
from openipt.measures import get_instrument
from openipt.protocol.groups import get_programme


@dataclass
class MemberRow:
    """A member's row on the page, with what was entered and its problems."""

    member: GroupMembership
    values: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def prefix(self) -> str:
        return f"m{self.member.pk}"


def _int_or_none(text: str, label: str, errors: list[str]) -> int | None:
    if text.strip() == "":
        return None
    try:
        return int(text)
    except ValueError:
        errors.append(f"{label}: enter a whole number.")
        return None


def _row_from(post: QueryDict, row: MemberRow) -> Row:
    """Read one member's inputs; note each unreadable one on the row."""
    p = row.prefix()
    row.values = {
        key.removeprefix(p + "-"): str(v) for key, v in post.items() if key.startswith(p + "-")
    }
    answers: dict[str, object] = {}
    for item in get_instrument("phq9").items:
        raw = post.get(f"{p}-item_{item.id}", "")
        value = _int_or_none(raw, f"PHQ-9 item {item.id}", row.errors)
        if value is not None:
            answers[item.id] = value
    return Row(
        membership_id=row.member.pk,
        status=post.get(f"{p}-status", ""),
        check_in=_int_or_none(post.get(f"{p}-check_in", ""), "Check-in", row.errors),
        homework=post.get(f"{p}-homework", ""),
        homework_reviewed=post.get(f"{p}-homework_reviewed") == "on",
        answers=answers or None,
        flag=post.get(f"{p}-flag") == "on",
    )


def _held_on(post: QueryDict, errors: list[str]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(post.get("held_on", ""))
    except ValueError:
        errors.append("Session date: enter a date.")
        return None


@group_staff_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, group_id: int) -> HttpResponse:
    """Run the group's next session: every member's row on one screen."""
    group = get_group_for_user(request.user, group_id)
    policy.check_run_group(request.user, group)
    programme = get_programme(group.programme)
    number = group.sessions.count() + 1
    members = list(group.memberships.current().select_related("client").order_by("pk"))
    rows = [MemberRow(m) for m in members]
    errors: list[str] = []
    if request.method == "POST":
        held_on = _held_on(request.POST, errors)
        parsed = [_row_from(request.POST, r) for r in rows]
        if held_on is not None and not errors and not any(r.errors for r in rows):
            minutes = _int_or_none(request.POST.get("minutes", ""), "Length", errors)
            try:
                done = record_group_session(
                    request.user,
                    group,
                    held_on=held_on,
                    rows=parsed,
                    notes=request.POST.get("notes", ""),
                    minutes=minutes,
                )
            except ValidationError as error:
                errors += [m for found in messages_of(error).values() for m in found]
            else:
                if done.alerts:
                    messages.warning(
                        request,
                        f"{len(done.alerts)} alert(s) raised: the clinician and the "
                        "supervisor see them now. Record each member's next step.",
                    )
                messages.success(request, f"Session {done.session.number} saved.")
                return redirect(done.session.get_absolute_url())
    context = {
        "group": group,
        "programme": programme,
        "number": number,
        "phase": programme.phase(min(number, programme.group_sessions)),
        "tasks": programme.tasks(min(number, programme.group_sessions)),
        "scheduled": number in programme.measured_sessions,
        "rows": rows,
        "errors": errors,
        "items": get_instrument("phq9").items,
        "statuses": MemberAttendance.Status.choices,
        "held_on": request.POST.get("held_on") or timezone.localdate().isoformat(),
        "post": request.POST,
        "finished": number > programme.group_sessions,
    }
    return render(request, "groups/session_new.html", context, status=400 if errors else 200)


@group_staff_required
def session_detail(request: HttpRequest, group_session_id: int) -> HttpResponse:
    """Show a held session, its rows, its adherence checklist and its review."""
    session = get_session_for_user(request.user, group_session_id)
    return _render_detail(request, session, None)


def _render_detail(
    request: HttpRequest, session: Any, form: Any, status: int = 200
) -> HttpResponse:
    programme = get_programme(session.group.programme)
    tasks = [(t.id, t.label) for t in programme.tasks(session.number)]
    form = form or ChecklistForm(tasks=tasks, initial={"tasks_done": session.tasks_done})
    rows = (
        session.rows.filter(membership__client__erasure__isnull=True)
        .select_related("membership__client", "administration")
        .order_by("membership_id")
    )
    context = {
        "session": session,
        "group": session.group,
        "rows": rows,
        "form": form,
        "tasks": tasks,
        "can_run": policy.may_run_group(request.user, session.group),
        "can_review": policy.may_review_group(request.user, session.group),
    }
    return render(request, "groups/session_detail.html", context, status=status)


@group_staff_required
@require_POST
def checklist(request: HttpRequest, group_session_id: int) -> HttpResponse:
    """Record the adherence checklist after the session."""
    session = get_session_for_user(request.user, group_session_id)
    policy.check_run_group(request.user, session.group)
    tasks = [(t.id, t.label) for t in get_programme(session.group.programme).tasks(session.number)]
    form = ChecklistForm(request.POST, tasks=tasks)
    if form.is_valid():
        try:
            record_checklist(request.user, session, form.cleaned_data["tasks_done"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Checklist saved.")
            return redirect(session.get_absolute_url())
    return _render_detail(request, session, form, status=400)


@group_staff_required
@require_POST
def review(request: HttpRequest, group_session_id: int) -> HttpResponse:
    """Mark the session reviewed (the group's supervisor)."""
    session = get_session_for_user(request.user, group_session_id)
    try:
        review_session(request.user, session)
    except ValidationError as error:
        messages.error(request, summary_of(error))
    else:
        messages.success(request, "Session marked reviewed.")
    return redirect(session.get_absolute_url())
