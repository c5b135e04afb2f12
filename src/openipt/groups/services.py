"""Screen, form groups, enrol and move members: the pages, the API and the CLI call these.

Services take plain values, check who may act through `openipt.policy`, apply the
programme's rules from `openipt.protocol.groups`, and write in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.accounts.models import User
from openipt.assessments.services import record_administration
from openipt.clients.services import create_client
from openipt.core.errors import Problems
from openipt.courses.checks import check_choice, check_past, clean_text
from openipt.courses.models import Course, ProblemArea
from openipt.courses.services import open_course
from openipt.groups.models import Group, GroupMembership, ScreeningEntry, Sex
from openipt.measures import AnswerError, get_instrument, score
from openipt.protocol.errors import ProtocolError
from openipt.protocol.groups import Programme, composition_problem, get_programme
from openipt.protocol.groups import screen as screen_rule


def programme_of(code: object) -> Programme:
    """Return the programme, or refuse the field clearly."""
    try:
        return get_programme(str(code))
    except ProtocolError as error:
        raise ValidationError({"programme": error.message}) from None


def _check_clinician(actor: Any) -> None:
    if not policy.is_therapist(actor):
        raise PermissionDenied("Only a therapist can screen people and form groups.")


def phq9_total(answers: Mapping[str, object]) -> tuple[int, dict[str, int]]:
    """Score PHQ-9 answers or refuse them item by item."""
    try:
        result = score(get_instrument("phq9"), answers)
    except AnswerError as error:
        raise ValidationError({"answers": [p.message for p in error.problems]}) from None
    return result.total, dict(result.answers)


@transaction.atomic
def screen_person(
    actor: Any,
    programme: str,
    *,
    name: str,
    sex: str,
    screened_on: datetime.date,
    answers: Mapping[str, object],
    exclusions: Sequence[str] = (),
    site: str = "",
    date_of_birth: datetime.date | None = None,
    previous: ScreeningEntry | None = None,
) -> ScreeningEntry:
    """Record one screening and decide: eligible, below the threshold, individual care.

    An exclusion (a current suicide plan, a recent attempt) sends the person to individual
    care, never into the group. A programme that screens twice [S303] marks the first
    passing screening "screen again" by leaving the outcome eligible only on the last round.
    """
    _check_clinician(actor)
    prog = programme_of(programme)
    problems = Problems()
    with problems.check():
        name = clean_text(name, "name", max_length=200)
        if not name:
            raise ValidationError({"name": "Enter the person's name."})
    with problems.check():
        check_choice(sex, Sex, "sex", "Sex")
    with problems.check():
        check_past(screened_on, "screened_on", "The screening date")
    total, clean = 0, dict[str, int]()
    with problems.check():
        total, clean = phq9_total(answers)
    with problems.check():
        _check_previous(actor, previous, prog)
    problems.raise_any()
    try:
        decided = screen_rule(prog, total, set(exclusions))
    except ProtocolError as error:
        raise ValidationError({"exclusions": error.message}) from None
    round_ = previous.round + 1 if previous is not None else 1
    outcome = ScreeningEntry.Outcome.BELOW_THRESHOLD
    if decided.individual_care:
        outcome = ScreeningEntry.Outcome.INDIVIDUAL_CARE
    elif decided.eligible:
        needs_repeat = round_ < prog.screening.screenings
        outcome = ScreeningEntry.Outcome.REPEAT if needs_repeat else ScreeningEntry.Outcome.ELIGIBLE
    entry = ScreeningEntry(
        clinician=actor,
        programme=prog.code,
        site=clean_text(site, "site", max_length=200),
        name=name,
        sex=sex,
        date_of_birth=date_of_birth,
        screened_on=screened_on,
        round=round_,
        answers=clean,
        phq9_total=total,
        exclusions=sorted(set(exclusions)),
        outcome=outcome,
        previous=previous,
    )
    entry.full_clean()
    entry.save()
    return entry


def _check_previous(actor: Any, previous: ScreeningEntry | None, prog: Programme) -> None:
    if previous is None:
        return
    if previous.clinician_id != actor.pk or previous.programme != prog.code:
        raise ValidationError({"previous": "Choose an earlier screening from your own list."})
    if previous.outcome != ScreeningEntry.Outcome.REPEAT:
        raise ValidationError({"previous": "That screening does not ask to screen again."})


@transaction.atomic
def create_group(
    actor: Any,
    programme: str,
    *,
    name: str,
    supervisor: User,
    facilitators: Sequence[User],
    composition: str = "",
    planned_size: int | None = None,
    site: str = "",
) -> Group:
    """Form a group of a programme, refusing sizes, compositions and facilitators outside
    its rules; every facilitator must be supervised by the group's supervisor."""
    _check_clinician(actor)
    prog = programme_of(programme)
    composition = composition or prog.composition.default.value
    size = prog.group_size.max if planned_size is None else planned_size
    problems = Problems()
    with problems.check():
        name = clean_text(name, "name", max_length=100)
        if not name:
            raise ValidationError({"name": "Give the group a name."})
    with problems.check():
        if composition not in [c.value for c in prog.composition.allowed]:
            allowed = ", ".join(c.value for c in prog.composition.allowed)
            raise ValidationError({"composition": f"This programme's groups are {allowed}."})
    with problems.check():
        if not isinstance(size, int) or size not in prog.group_size:
            bound = prog.group_size
            raise ValidationError(
                {"planned_size": f"This programme's groups have {bound.min}-{bound.max} members."}
            )
    with problems.check():
        _check_staff(prog, supervisor, facilitators)
    problems.raise_any()
    group = Group(
        programme=prog.code,
        name=name,
        site=clean_text(site, "site", max_length=200),
        clinician=actor,
        supervisor=supervisor,
        composition=composition,
        planned_size=size,
    )
    group.full_clean()
    group.save()
    group.facilitators.set(facilitators)
    return group


def _check_staff(prog: Programme, supervisor: User, facilitators: Sequence[User]) -> None:
    if not (policy.is_supervisor(supervisor)):
        raise ValidationError({"supervisor": "Choose an active supervisor."})
    bound = prog.facilitators
    if len(set(facilitators)) not in bound:
        raise ValidationError(
            {"facilitators": f"This programme has {bound.min}-{bound.max} facilitator(s) a group."}
        )
    for person in facilitators:
        if not policy.is_facilitator(person):
            raise ValidationError({"facilitators": f"{person} is not an active facilitator."})
        if person.supervisor_id != supervisor.pk:
            raise ValidationError(
                {"facilitators": f"{person} is not supervised by the group's supervisor."}
            )


def enrol(
    actor: Any,
    group: Group,
    screening: ScreeningEntry,
    *,
    problem_area: str,
    pre_group_on: datetime.date,
    pre_group_tasks: Sequence[str] = (),
    onset_link: str = "",
) -> GroupMembership:
    """Enrol an eligible person after their individual pre-group session.

    Opens their client record and a course in the programme's format, records the
    screening PHQ-9 as the course's first score (a risk answer raises its alert then), and
    refuses a full group or one whose composition the person does not fit.
    """
    policy.check_manage_group(actor, group)
    prog = get_programme(group.programme)
    with transaction.atomic():
        locked = Group.objects.select_for_update().get(pk=group.pk)
        _check_enrolment(actor, locked, prog, screening, problem_area, pre_group_tasks)
        check_past(pre_group_on, "pre_group_on", "The pre-group session")
        client = create_client(actor, name=screening.name, date_of_birth=screening.date_of_birth)
        course = open_course(
            actor,
            client,
            prog.course_format,
            planned_sessions=prog.group_sessions,
            started_on=pre_group_on,
            confirm_old_start=True,
        )
        _record_screening_score(actor, course, screening)
        Course.objects.filter(pk=course.pk).update(primary_area=problem_area)
        screening.client = client
        screening.save(update_fields=["client"])
        member = GroupMembership(
            group=locked,
            client=client,
            course=course,
            screening=screening,
            sex=screening.sex,
            problem_area=problem_area,
            pre_group_on=pre_group_on,
            pre_group_tasks=list(pre_group_tasks),
            onset_link=clean_text(onset_link, "onset_link", max_length=2000),
            joined_on=pre_group_on,
        )
        member.full_clean()
        member.save()
    return member


def _check_enrolment(
    actor: Any,
    group: Group,
    prog: Programme,
    screening: ScreeningEntry,
    area: str,
    tasks: Sequence[str],
) -> None:
    problems = Problems()
    with problems.check():
        if screening.clinician_id != actor.pk or screening.programme != prog.code:
            raise ValidationError({"screening": "Choose a screening of this programme."})
        if screening.outcome != ScreeningEntry.Outcome.ELIGIBLE or screening.client_id:
            raise ValidationError({"screening": "Only an eligible person not yet enrolled."})
    with problems.check():
        check_choice(area, ProblemArea, "problem_area", "Problem area")
    with problems.check():
        known = {t.id for t in prog.pre_group.tasks}
        if set(tasks) - known:
            raise ValidationError({"pre_group_tasks": "Tick only this programme's tasks."})
    with problems.check():
        if group.status == Group.Status.ENDED:
            raise ValidationError({"group": "This group has ended."})
        members = list(group.memberships.current().values_list("sex", flat=True))
        if len(members) >= group.planned_size:
            raise ValidationError({"group": f"This group is full ({group.planned_size})."})
        problem = composition_problem(group.composition, members, screening.sex)
        if problem:
            raise ValidationError({"group": problem})
    problems.raise_any()


def _record_screening_score(actor: Any, course: Course, screening: ScreeningEntry) -> None:
    when = timezone.make_aware(datetime.datetime.combine(screening.screened_on, datetime.time(12)))
    record_administration(
        actor, course, get_instrument("phq9"), screening.answers, completed_at=when
    )


@transaction.atomic
def leave_group(
    actor: Any, member: GroupMembership, *, left_on: datetime.date, reason: str
) -> GroupMembership:
    """Record that a member left, and why; their course is discontinued with it."""
    policy.check_run_group(actor, member.group)
    check_choice(reason, GroupMembership.LeaveReason, "leave_reason", "Reason")
    check_past(left_on, "left_on", "The day they left")
    if member.left_on is not None:
        raise ValidationError({"left_on": "This member has already left."})
    if left_on < member.joined_on:
        raise ValidationError({"left_on": "They cannot leave before they joined."})
    member.left_on, member.leave_reason = left_on, reason
    member.save(update_fields=["left_on", "leave_reason"])
    Course.objects.filter(pk=member.course_id, status=Course.Status.ACTIVE).update(
        status=Course.Status.DISCONTINUED, ended_on=left_on
    )
    return member


@transaction.atomic
def record_next_step(
    actor: Any, member: GroupMembership, *, step: str, note: str = ""
) -> GroupMembership:
    """Record the next step for a member after a risk answer or a flag."""
    policy.check_run_group(actor, member.group)
    check_choice(step, GroupMembership.NextStep, "next_step", "Next step")
    member.next_step = step
    member.next_step_note = clean_text(note, "next_step_note", max_length=2000)
    member.next_step_on = timezone.localdate()
    member.save(update_fields=["next_step", "next_step_note", "next_step_on"])
    return member


@transaction.atomic
def end_group(actor: Any, group: Group, ended_on: datetime.date) -> Group:
    """Close a group: current members' courses end with it (they completed the group)."""
    policy.check_manage_group(actor, group)
    check_past(ended_on, "ended_on", "The end date")
    if group.status == Group.Status.ENDED:
        raise ValidationError({"group": "This group has already ended."})
    group.status, group.ended_on = Group.Status.ENDED, ended_on
    group.save(update_fields=["status", "ended_on"])
    courses = group.memberships.current().values("course_id")
    Course.objects.filter(pk__in=courses, status=Course.Status.ACTIVE).update(
        status=Course.Status.ENDED, ended_on=ended_on
    )
    return group
