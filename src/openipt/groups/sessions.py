"""Record a group session: every member's row, the scheduled PHQ-9, flags and the checklist.

A risk answer (PHQ-9 item 9 above 0) or a facilitator's flag raises an alert on the
member's course through the assessments services, committed on its own before anything
else is saved, so it reaches the clinician and the supervisor even if the rest is refused
(the existing alert rule: never cleared automatically).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.assessments.models import Alert
from openipt.assessments.services import (
    client_alerts_changed,
    raise_risk_alerts,
    record_administration,
)
from openipt.core.errors import Problems
from openipt.courses.checks import check_choice, check_past, clean_text
from openipt.groups.models import Group, GroupMembership, GroupSession, MemberAttendance
from openipt.groups.services import phq9_total
from openipt.measures import get_instrument
from openipt.notify.escalation import alert_raised
from openipt.protocol.groups import get_programme

FLAG_INSTRUMENT = "facilitator_flag"  # an alert raised by a facilitator, not a questionnaire


@dataclass
class Row:
    """One member's row as entered on the session page."""

    membership_id: int
    status: str
    check_in: int | None = None
    homework: str = ""
    homework_reviewed: bool = False
    answers: Mapping[str, object] | None = None
    flag: bool = False


@dataclass
class Recorded:
    session: GroupSession
    alerts: list[Alert] = field(default_factory=list)


def record_group_session(
    actor: Any,
    group: Group,
    *,
    held_on: datetime.date,
    rows: Sequence[Row],
    notes: str = "",
    minutes: int | None = None,
) -> Recorded:
    """Record the next session of a group with a row for every current member.

    Must run outside the caller's transaction: alerts are committed first, on their own.
    """
    policy.check_run_group(actor, group)
    prog = get_programme(group.programme)
    members = {m.pk: m for m in group.memberships.current().select_related("course")}
    number = group.sessions.count() + 1
    # Risk first: a risk answer or a flag reaches the clinician even if the rest is refused.
    alerts = _raise_alerts(actor, rows, members)
    _check(group, prog.group_sessions, number, held_on, rows, members, minutes)
    instrument = get_instrument("phq9")
    when = timezone.make_aware(datetime.datetime.combine(held_on, datetime.time(12)))
    with transaction.atomic():
        session = GroupSession.objects.create(
            group=group,
            number=number,
            held_on=held_on,
            phase=prog.phase(number).value,
            minutes=minutes or prog.session_minutes.max,
            notes=clean_text(notes, "notes", max_length=10000),
            recorded_by=actor,
        )
        for row in rows:
            member = members[row.membership_id]
            admin = None
            if row.answers:
                mine = [
                    a for a in alerts if a.course_id == member.course_id and a.instrument == "phq9"
                ]
                admin = record_administration(
                    actor, member.course, instrument, row.answers, completed_at=when, alerts=mine
                ).administration
            MemberAttendance.objects.create(
                session=session,
                membership=member,
                status=row.status,
                check_in=row.check_in,
                homework=row.homework,
                homework_reviewed=row.homework_reviewed,
                administration=admin,
                flagged=row.flag,
            )
        if group.status == Group.Status.FORMING:
            Group.objects.filter(pk=group.pk).update(
                status=Group.Status.RUNNING, started_on=held_on
            )
    return Recorded(session, alerts)


def _check(
    group: Group,
    planned: int,
    number: int,
    held_on: datetime.date,
    rows: Sequence[Row],
    members: dict[int, GroupMembership],
    minutes: int | None,
) -> None:
    """Refuse the whole session with every problem at once."""
    problems = Problems()
    with problems.check():
        if group.status == Group.Status.ENDED:
            raise ValidationError({"group": "This group has ended."})
        if number > planned:
            raise ValidationError({"group": f"All {planned} sessions are recorded."})
    with problems.check():
        check_past(held_on, "held_on", "The session date")
        last = group.sessions.order_by("-number").values_list("held_on", flat=True).first()
        if last is not None and held_on < last:
            raise ValidationError({"held_on": "This session cannot be before the last one."})
    with problems.check():
        if minutes is not None and not (isinstance(minutes, int) and 1 <= minutes <= 600):
            raise ValidationError({"minutes": "Give the length in minutes (1-600)."})
    with problems.check():
        given = [r.membership_id for r in rows]
        if sorted(given) != sorted(members):
            raise ValidationError({"rows": "Give one row for every current member."})
    for row in rows:
        with problems.check():
            _check_row(row)
    problems.raise_any()


def _check_row(row: Row) -> None:
    where = f"member {row.membership_id}"
    check_choice(row.status, MemberAttendance.Status, "status", "Attendance")
    present = row.status == MemberAttendance.Status.PRESENT
    if row.check_in is not None and not (
        isinstance(row.check_in, int) and not isinstance(row.check_in, bool)
    ):
        raise ValidationError({"check_in": f"{where}: give the check-in as a number 0-10."})
    if row.check_in is not None and not 0 <= row.check_in <= 10:
        raise ValidationError({"check_in": f"{where}: the check-in runs from 0 to 10."})
    if not present and (row.answers or row.check_in is not None or row.homework_reviewed):
        raise ValidationError({"status": f"{where}: only a member present has a check-in."})
    row.homework = clean_text(row.homework, "homework", max_length=300)
    if row.answers:
        phq9_total(row.answers)


def _raise_alerts(
    actor: Any, rows: Sequence[Row], members: dict[int, GroupMembership]
) -> list[Alert]:
    """Commit an alert for every risk answer and every flag, before the session is saved."""
    alerts: list[Alert] = []
    for row in rows:
        if row.membership_id not in members:
            continue  # refused by the checks that follow
        course = members[row.membership_id].course
        if row.answers:
            alerts += raise_risk_alerts(actor, course, "phq9", row.answers, "clinician")
        if row.flag:
            alerts.append(raise_flag(actor, members[row.membership_id]))
    return alerts


def raise_flag(actor: Any, member: GroupMembership) -> Alert:
    """Raise a facilitator's concern about a member as an alert on their course."""
    policy.check_run_group(actor, member.group)
    with transaction.atomic():
        alert = Alert.objects.create(
            course=member.course,
            instrument=FLAG_INSTRUMENT,
            version="1",
            item="flag",
            value=1,
            raised_at=timezone.now(),
            raised_by=actor,
        )
        alert_raised(alert)  # the clinician's notification, as for a risk answer
        client_alerts_changed(member.course)
    return alert


@transaction.atomic
def record_checklist(actor: Any, session: GroupSession, tasks_done: Sequence[str]) -> GroupSession:
    """Record the adherence checklist: which of the session's protocol tasks were done."""
    policy.check_run_group(actor, session.group)
    known = [t.id for t in get_programme(session.group.programme).tasks(session.number)]
    unknown = set(tasks_done) - set(known)
    if unknown:
        raise ValidationError({"tasks_done": f"Not a task of this session: {sorted(unknown)}."})
    session.tasks_done = [t for t in known if t in tasks_done]
    session.checklist_on = timezone.localdate()
    session.save(update_fields=["tasks_done", "checklist_on"])
    return session


@transaction.atomic
def review_session(actor: Any, session: GroupSession) -> GroupSession:
    """Mark a session reviewed by the group's supervisor (the weekly review queue)."""
    if not policy.may_review_group(actor, session.group):
        raise PermissionDenied("Only the group's supervisor reviews its sessions.")
    if session.reviewed_at is not None:
        raise ValidationError({"session": "This session is already reviewed."})
    session.reviewed_by, session.reviewed_at = actor, timezone.now()
    session.save(update_fields=["reviewed_by", "reviewed_at"])
    return session
