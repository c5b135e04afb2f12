"""IPT groups over REST: groups, members, screening, group sessions and attendance, outcomes.

Thin over `openipt.groups.services` and `openipt.groups.sessions`, so every programme rule
and every access rule applies here as on the pages.
No `from __future__ import annotations`: django-ninja reads the annotations at run time.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from openipt import policy
from openipt.accounts.models import User
from openipt.api.schemas import responses
from openipt.core.validators import no_control_characters
from openipt.courses.schemas import BoundedPagination
from openipt.groups import reports, services
from openipt.groups.access import get_group_for_user, get_member_for_user, get_session_for_user
from openipt.groups.models import Group, GroupMembership, GroupSession, ScreeningEntry
from openipt.groups.outcomes import DenominatorRow, Outcomes, Rate
from openipt.groups.schemas import (
    ChecklistIn,
    EnrolIn,
    GroupIn,
    GroupOut,
    LeaveIn,
    MemberOut,
    NextStepIn,
    OutcomesOut,
    ScreeningIn,
    ScreeningOut,
    SessionDetailOut,
    SessionIn,
    SessionOut,
)
from openipt.groups.sessions import Row, record_checklist, record_group_session

router = Router(tags=["groups"])


def _staff(request: HttpRequest) -> None:
    if not policy.has_role(request.user, "therapist", "supervisor", "facilitator"):
        raise PermissionDenied("Groups are for their clinicians, facilitators and supervisors.")


def _member_out(m: GroupMembership) -> dict:
    return {
        "id": m.pk,
        "group_id": m.group_id,
        "client_id": m.client_id,
        "course_id": m.course_id,
        "name": m.client.name,
        "sex": m.sex,
        "problem_area": m.problem_area,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
        "leave_reason": m.leave_reason,
        "next_step": m.next_step,
    }


def _session_out(s: GroupSession, alerts: int = 0) -> dict:
    return {
        "id": s.pk,
        "group_id": s.group_id,
        "number": s.number,
        "held_on": s.held_on,
        "phase": s.phase,
        "minutes": s.minutes,
        "tasks_done": s.tasks_done,
        "checklist_on": s.checklist_on,
        "reviewed_at": s.reviewed_at,
        "alerts_raised": alerts,
    }


@router.get("/groups", response=responses(list[GroupOut]), summary="List the groups you see")
@paginate(BoundedPagination)
def list_groups(request: HttpRequest):
    _staff(request)
    groups = Group.objects.visible_to(request.user).select_related("clinician", "supervisor")
    return groups.prefetch_related("facilitators").order_by("pk")  # paged in SQL


@router.post("/groups", response=responses(GroupOut, 201), summary="Form a group")
def create_group(request: HttpRequest, payload: GroupIn):
    if not policy.is_therapist(request.user):
        raise PermissionDenied("Only a therapist forms groups.")
    for name in (payload.supervisor_username, *payload.facilitator_usernames):
        try:
            no_control_characters(name)  # PostgreSQL cannot even look up a NUL
        except ValidationError as error:
            raise ValidationError({"facilitators": error.messages}) from error
    active = User.objects.filter(is_active=True)
    supervisor = active.filter(username=payload.supervisor_username).first()
    people = list(active.filter(username__in=payload.facilitator_usernames))
    if supervisor is None or len(people) != len(set(payload.facilitator_usernames)):
        raise ValidationError({"facilitators": "Name an active supervisor and facilitators."})
    group = services.create_group(
        request.user,
        payload.programme,
        name=payload.name,
        site=payload.site,
        supervisor=supervisor,
        facilitators=people,
        composition=payload.composition,
        planned_size=payload.planned_size,
    )
    return Status(201, group)


@router.get("/groups/{group_id}", response=responses(GroupOut), summary="Read a group")
def get_group(request: HttpRequest, group_id: int):
    _staff(request)
    return get_group_for_user(request.user, group_id)


@router.get(
    "/groups/{group_id}/members", response=responses(list[MemberOut]), summary="List members"
)
def list_members(request: HttpRequest, group_id: int):
    _staff(request)
    group = get_group_for_user(request.user, group_id)
    rows = policy.visible_members(request.user, group.memberships.all()).select_related("client")
    return [_member_out(m) for m in rows.order_by("pk")]


@router.post(
    "/groups/{group_id}/members",
    response=responses(MemberOut, 201),
    summary="Enrol an eligible person after their pre-group session",
)
def enrol_member(request: HttpRequest, group_id: int, payload: EnrolIn):
    _staff(request)
    group = get_group_for_user(request.user, group_id)
    policy.check_manage_group(request.user, group)
    entry = ScreeningEntry.objects.visible_to(request.user).filter(pk=payload.screening_id).first()
    if entry is None:  # a body's reference, not the path's resource: a 400, not a 404
        raise ValidationError({"screening_id": "No screening of yours has this id."})
    member = services.enrol(
        request.user,
        group,
        entry,
        problem_area=payload.problem_area,
        pre_group_on=payload.pre_group_on,
        pre_group_tasks=payload.pre_group_tasks,
        onset_link=payload.onset_link,
    )
    return Status(201, _member_out(member))


@router.get(
    "/group-members/{membership_id}", response=responses(MemberOut), summary="Read a member"
)
def get_member(request: HttpRequest, membership_id: int):
    _staff(request)
    return _member_out(get_member_for_user(request.user, membership_id))


@router.post(
    "/group-members/{membership_id}/leave",
    response=responses(MemberOut),
    summary="Record that a member left, and why",
)
def leave(request: HttpRequest, membership_id: int, payload: LeaveIn):
    _staff(request)
    member = get_member_for_user(request.user, membership_id)
    done = services.leave_group(
        request.user, member, left_on=payload.left_on, reason=payload.reason
    )
    return _member_out(done)


@router.post(
    "/group-members/{membership_id}/next-step",
    response=responses(MemberOut),
    summary="Record a member's next step after a risk answer or a flag",
)
def next_step(request: HttpRequest, membership_id: int, payload: NextStepIn):
    _staff(request)
    member = get_member_for_user(request.user, membership_id)
    done = services.record_next_step(request.user, member, step=payload.step, note=payload.note)
    return _member_out(done)


@router.get(
    "/groups/{group_id}/sessions",
    response=responses(list[SessionOut]),
    summary="List a group's sessions",
)
def list_group_sessions(request: HttpRequest, group_id: int):
    _staff(request)
    group = get_group_for_user(request.user, group_id)
    return [_session_out(s) for s in group.sessions.order_by("number")]


@router.post(
    "/groups/{group_id}/sessions",
    response=responses(SessionOut, 201),
    summary="Record the group's next session with every member's attendance",
)
def create_group_session(request: HttpRequest, group_id: int, payload: SessionIn):
    _staff(request)
    group = get_group_for_user(request.user, group_id)
    rows = [
        Row(
            membership_id=r.membership_id,
            status=r.status,
            check_in=r.check_in,
            homework=r.homework,
            homework_reviewed=r.homework_reviewed,
            answers=r.phq9,
            flag=r.flag,
        )
        for r in payload.rows
    ]
    done = record_group_session(
        request.user,
        group,
        held_on=payload.held_on,
        rows=rows,
        notes=payload.notes,
        minutes=payload.minutes,
    )
    return Status(201, _session_out(done.session, len(done.alerts)))


@router.get(
    "/group-sessions/{group_session_id}",
    response=responses(SessionDetailOut),
    summary="Read a group session with its attendance",
)
def get_group_session(request: HttpRequest, group_session_id: int):
    _staff(request)
    session = get_session_for_user(request.user, group_session_id)
    rows = session.rows.filter(membership__client__erasure__isnull=True)
    rows = rows.select_related("administration").order_by("membership_id")
    out = _session_out(session)
    out["rows"] = [
        {
            "membership_id": r.membership_id,
            "status": r.status,
            "check_in": r.check_in,
            "homework": r.homework,
            "homework_reviewed": r.homework_reviewed,
            "phq9_total": r.administration.total if r.administration else None,
            "flagged": r.flagged,
        }
        for r in rows
    ]
    return out


@router.post(
    "/group-sessions/{group_session_id}/checklist",
    response=responses(SessionOut),
    summary="Record the session's adherence checklist",
)
def checklist(request: HttpRequest, group_session_id: int, payload: ChecklistIn):
    _staff(request)
    session = get_session_for_user(request.user, group_session_id)
    return _session_out(record_checklist(request.user, session, payload.tasks_done))


@router.get(
    "/groups/{group_id}/outcomes",
    response=responses(OutcomesOut),
    summary="A group's outcomes over the three denominators, at each follow-up, and its cost",
)
def group_outcomes(request: HttpRequest, group_id: int):
    _staff(request)
    group = get_group_for_user(request.user, group_id)
    outcomes, _ = reports.group_outcomes(group)
    return _outcomes_out(outcomes, reports.group_cost(group, outcomes))


def _rate(rate: Rate) -> dict:
    return {"count": rate.count, "total": rate.total, "percent": rate.percent()}


def _denominator(row: DenominatorRow) -> dict:
    return {
        "denominator": row.name,
        "label": row.label,
        "members": row.members,
        "measured": row.measured,
        "mean_change": float(row.mean_change) if row.mean_change is not None else None,
        "recovery": _rate(row.recovery),
        "remission": _rate(row.remission),
        "reliable_improvement": _rate(row.reliable_improvement),
    }


def _outcomes_out(outcomes: Outcomes, cost) -> dict:  # type: ignore[no-untyped-def]
    return {
        "enrolled": outcomes.enrolled,
        "attended_at_least_one": outcomes.reached,
        "completed": outcomes.completed,
        "retention": _rate(outcomes.retention),
        "attendance": _rate(outcomes.attendance),
        "denominators": [_denominator(row) for row in outcomes.rows],
        "follow_ups": [
            {
                "months": fu.window.months,
                "window_first_day": fu.window.first,
                "window_last_day": fu.window.last,
                "due": fu.due,
                "denominators": [_denominator(row) for row in fu.rows],
            }
            for fu in outcomes.follow_ups
        ],
        "cost": None
        if cost is None
        else {
            "facilitator_hours": cost.facilitator_hours,
            "total": cost.total,
            "per_member_treated": cost.per_member_reached,
            "per_completer": cost.per_completer,
            "currency": cost.currency,
        },
    }


@router.get("/screenings", response=responses(list[ScreeningOut]), summary="The screening list")
@paginate(BoundedPagination)
def list_screenings(request: HttpRequest):
    _staff(request)
    return ScreeningEntry.objects.visible_to(request.user).order_by("-screened_on", "-id")


@router.post("/screenings", response=responses(ScreeningOut, 201), summary="Screen a person")
def create_screening(request: HttpRequest, payload: ScreeningIn):
    _staff(request)
    previous = None
    if payload.previous_id is not None:
        entries = ScreeningEntry.objects.visible_to(request.user)
        previous = entries.filter(pk=payload.previous_id).first()
        if previous is None:
            raise Http404("No such screening")
    entry = services.screen_person(
        request.user,
        payload.programme,
        name=payload.name,
        sex=payload.sex,
        screened_on=payload.screened_on,
        answers=payload.phq9,
        exclusions=payload.exclusions,
        site=payload.site,
        date_of_birth=payload.date_of_birth,
        previous=previous,
    )
    return Status(201, entry)
