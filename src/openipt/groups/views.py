"""Group pages: the list, forming a group, screening, enrolling, a member, outcomes.

The session page (run a session from a phone) lives in views_sessions.py.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openipt import policy
from openipt.core.decorators import role_required, therapist_required
from openipt.core.errors import apply_errors, summary_of
from openipt.groups import reports, services
from openipt.groups.access import get_group_for_user, get_member_for_user
from openipt.groups.forms import EnrolForm, GroupForm, LeaveForm, NextStepForm, ScreeningForm
from openipt.groups.models import Group, ScreeningEntry
from openipt.groups.outcomes import DENOMINATOR_LABELS, FOLLOW_UP_WINDOW_DAYS
from openipt.measures import get_instrument
from openipt.protocol.errors import ProtocolError
from openipt.protocol.groups import all_programmes, get_programme

group_staff_required = role_required("therapist", "supervisor", "facilitator")
# The definitions the outcome tables cite: recovery as the trials used it, remission.
OUTCOME_SOURCES = {
    "recovery_sources": ["S308", "S73"],
    "remission_sources": ["S73"],
    "window_days": FOLLOW_UP_WINDOW_DAYS,
}


@group_staff_required
def group_list(request: HttpRequest) -> HttpResponse:
    """List the groups this user may see, with what each needs now."""
    groups = (
        Group.objects.visible_to(request.user)
        .select_related("supervisor")
        .prefetch_related("facilitators")
        .order_by("status", "name")
    )
    page = Paginator(groups, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "can_form": policy.is_therapist(request.user),
        "is_supervisor": policy.is_supervisor(request.user),
    }
    return render(request, "groups/list.html", context)


@therapist_required
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    """Form a group of a programme, within its size and composition rules."""
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.create_group(
                request.user,
                data["programme"],
                name=data["name"],
                site=data["site"],
                supervisor=data["supervisor"],
                facilitators=list(data["facilitators"]),
                composition=data["composition"],
                planned_size=data["planned_size"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Group {group.name} formed.")
            return redirect(group.get_absolute_url())
    return render(request, "groups/new.html", {"form": form, "programmes": all_programmes()})


@therapist_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest) -> HttpResponse:
    """Show the screening list and screen the next person."""
    entries = ScreeningEntry.objects.visible_to(request.user).select_related("client")
    repeats = entries.filter(outcome=ScreeningEntry.Outcome.REPEAT, repeats__isnull=True)
    form = ScreeningForm(request.POST or None, repeats=repeats)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.screen_person(
                request.user,
                data["programme"],
                name=data["name"],
                sex=data["sex"],
                screened_on=data["screened_on"],
                answers=form.answers(),
                exclusions=data["exclusions"],
                site=data["site"],
                date_of_birth=data["date_of_birth"],
                previous=data["previous"],
            )
        except ValidationError as error:
            apply_errors(form, error, {"answers": "__all__"})
        else:
            messages.success(request, f"{entry.name}: {entry.get_outcome_display()}.")
            return redirect("groups:screening")
    page = Paginator(entries.order_by("-screened_on", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "groups/screening.html", {"form": form, "page": page})


@group_staff_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """Show a group: its members, sessions held and what comes next."""
    group = get_group_for_user(request.user, group_id)
    programme = get_programme(group.programme)
    outcomes, members = reports.group_outcomes(group)
    for m in members:
        m.area_name = programme.area_name(m.problem_area) if m.problem_area else ""  # type: ignore[attr-defined]
    sessions = list(group.sessions.order_by("number"))
    context = {
        "group": group,
        "programme": programme,
        "members": members,
        "sessions": sessions,
        "next_number": len(sessions) + 1,
        "last_held": sessions[-1].held_on if sessions else None,
        "facilitators": list(group.facilitators.all()),
        "can_run": policy.may_run_group(request.user, group),
        "can_manage": policy.may_manage_group(request.user, group),
        "outcomes": outcomes,
    }
    return render(request, "groups/detail.html", context)


@group_staff_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, group_id: int) -> HttpResponse:
    """Record the individual pre-group session and enrol an eligible person."""
    group = get_group_for_user(request.user, group_id)
    policy.check_manage_group(request.user, group)
    programme = get_programme(group.programme)
    eligible = ScreeningEntry.objects.visible_to(request.user).filter(
        programme=group.programme, outcome=ScreeningEntry.Outcome.ELIGIBLE, client__isnull=True
    )
    form = EnrolForm(request.POST or None, programme=programme, eligible=eligible)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.enrol(
                request.user,
                group,
                data["screening"],
                problem_area=data["problem_area"],
                pre_group_on=data["pre_group_on"],
                pre_group_tasks=data["pre_group_tasks"],
                onset_link=data["onset_link"],
            )
        except ValidationError as error:
            apply_errors(form, error, {"group": "__all__"})
        else:
            messages.success(request, f"{member.client.name} joined {group.name}.")
            return redirect(group.get_absolute_url())
    context = {
        "group": group,
        "programme": programme,
        "form": form,
        "inventory": symptom_inventory(eligible),
    }
    return render(request, "groups/enrol.html", context)


def symptom_inventory(entries) -> list[tuple[ScreeningEntry, list[str]]]:  # type: ignore[no-untyped-def]
    """Return each person's PHQ-9 symptoms present on more than half the days at screening:
    the pre-group session goes through the symptoms guided by the PHQ-9 items [S10]."""
    items = [i for i in get_instrument("phq9").items if i.scored]
    return [
        (entry, [i.text for i in items if int(entry.answers.get(i.id, 0)) >= 2])
        for entry in entries.order_by("name")
    ]


@group_staff_required
@require_POST
def end(request: HttpRequest, group_id: int) -> HttpResponse:
    """Close the group (its clinician): current members' courses end with it."""
    group = get_group_for_user(request.user, group_id)
    policy.check_manage_group(request.user, group)
    try:
        ended_on = datetime.date.fromisoformat(request.POST.get("ended_on", ""))
        services.end_group(request.user, group, ended_on)
    except ValueError:
        messages.error(request, "Give the day the group ended.")
    except ValidationError as error:
        messages.error(request, summary_of(error))
    else:
        messages.success(request, f"{group.name} has ended.")
    return redirect(group.get_absolute_url())


@group_staff_required
def member(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Show one member as a session needs them: attendance, scores, next step."""
    found = get_member_for_user(request.user, membership_id)
    programme = get_programme(found.group.programme)
    rows = found.attendance.select_related("session", "administration").order_by("session__number")
    context = {
        "member": found,
        "group": found.group,
        "area_name": programme.area_name(found.problem_area) if found.problem_area else "",
        "rows": rows,
        "can_run": policy.may_run_group(request.user, found.group),
        "leave_form": LeaveForm(),
        "step_form": NextStepForm(),
    }
    return render(request, "groups/member.html", context)


@group_staff_required
@require_POST
def member_leave(request: HttpRequest, membership_id: int) -> HttpResponse:
    found = get_member_for_user(request.user, membership_id)
    policy.check_run_group(request.user, found.group)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            services.leave_group(
                request.user,
                found,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error, {"leave_reason": "reason"})
        else:
            messages.success(request, "Recorded that the member left the group.")
            return redirect("groups:member", membership_id=found.pk)
    return _member_again(request, found, leave_form=form)


@group_staff_required
@require_POST
def member_next_step(request: HttpRequest, membership_id: int) -> HttpResponse:
    found = get_member_for_user(request.user, membership_id)
    policy.check_run_group(request.user, found.group)
    form = NextStepForm(request.POST)
    if form.is_valid():
        try:
            services.record_next_step(
                request.user, found, step=form.cleaned_data["step"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_errors(form, error, {"next_step": "step"})
        else:
            messages.success(request, "Next step recorded.")
            return redirect("groups:member", membership_id=found.pk)
    return _member_again(request, found, step_form=form)


def _member_again(request: HttpRequest, found, **forms) -> HttpResponse:  # type: ignore[no-untyped-def]
    context = {
        "member": found,
        "group": found.group,
        "rows": found.attendance.select_related("session").order_by("session__number"),
        "can_run": True,
        "leave_form": forms.get("leave_form", LeaveForm()),
        "step_form": forms.get("step_form", NextStepForm()),
    }
    return render(request, "groups/member.html", context, status=400)


@group_staff_required
def group_outcomes(request: HttpRequest, group_id: int) -> HttpResponse:
    """Show the group's outcomes over the three denominators, and its cost."""
    group = get_group_for_user(request.user, group_id)
    outcomes, members = reports.group_outcomes(group)
    context = {
        "group": group,
        "programme": get_programme(group.programme),
        "outcomes": outcomes,
        "members": list(zip(members, outcomes.members, strict=True)),
        "cost": reports.group_cost(group, outcomes),
        "labels": DENOMINATOR_LABELS,
        **OUTCOME_SOURCES,
    }
    return render(request, "groups/outcomes.html", context)


@role_required("therapist", "supervisor")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The programme dashboard: outcomes over every group of a programme, per facilitator."""
    code = request.GET.get("programme") or all_programmes()[0].code
    try:
        programme = get_programme(code)
    except ProtocolError:
        raise Http404("No such programme") from None
    context = {
        "programme": programme,
        "programmes": all_programmes(),
        "outcomes": reports.programme_outcomes(request.user, programme.code),
        "facilitators": reports.facilitator_summary(request.user),
        **OUTCOME_SOURCES,
    }
    return render(request, "groups/dashboard.html", context)


@role_required("supervisor")
def review_queue(request: HttpRequest) -> HttpResponse:
    """The supervisor's weekly review queue: sessions of their groups not yet reviewed."""
    from openipt.groups.models import GroupSession

    sessions = (
        policy.visible_groups(request.user, GroupSession.objects.all(), via="group")
        .filter(reviewed_at__isnull=True)
        .select_related("group", "recorded_by")
        .order_by("held_on", "id")
    )
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    return render(request, "groups/review.html", {"page": page})
