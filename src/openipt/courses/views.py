"""Course pages: the caseload, the course page, opening a course, sessions and tasks.

Every page fetches its course through `get_course_for_user`; the record forms live in
`views_records.py` and the letter in `letter.py`.
"""

from __future__ import annotations

from functools import partial
from operator import getitem

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_POST

from openipt import policy
from openipt.assessments.entry import entry_chain_url
from openipt.assessments.models import Alert
from openipt.clients.access import get_client_for_user
from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors
from openipt.courses import services
from openipt.courses.access import get_course_for_user
from openipt.courses.caseload import caseload, kept_cells
from openipt.courses.forms import SessionForm, StartCourseForm
from openipt.courses.models import Course, Session
from openipt.protocol.formats import get_format
from openipt.protocol.phases import get_task, tasks_for
from openipt.protocol.rules import Notice

PAGE_SIZE = 25


def show_notices(request: HttpRequest, notices) -> None:
    """Show the protocol's notes (warnings, prognosis) as messages with their sources."""
    for notice in notices:
        tags = ", ".join(f"[{s}]" for s in notice.sources)
        messages.warning(request, f"{notice.message} {tags}".strip())


@clinician_required
def caseload_view(request: HttpRequest) -> HttpResponse:
    """List the active courses with phase, session n of N and what is due, by urgency."""
    page = Paginator(caseload(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    courses = list(page)
    cells = kept_cells(request, courses)
    context = {"page": page, "rows": [(course, cells[course.pk]) for course in courses]}
    return render(request, "courses/caseload.html", context)


@therapist_required
@require_http_methods(["GET", "POST"])
def start_course(request: HttpRequest, client_id: int) -> HttpResponse:
    """Open a course for a client, choosing the format (IPT-A with its intake screen)."""
    client = get_client_for_user(request, client_id, write=True)
    form = StartCourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.open_course(
                request.user,
                client,
                data["format"],
                planned_sessions=data["planned_sessions"],
                started_on=data["started_on"],
                confirm_old_start=data["confirm_old_start"],
                intake_flags=form.screen(),
                referrer=data["referrer"],
                symptom_onset=data["symptom_onset"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            show_notices(request, services.intake_notices(client, course.format))
            messages.success(request, f"{course.get_format_display()} opened for {client.name}.")
            return redirect(course)
    context = {
        "form": form,
        "client": client,
        "format_rows": list(zip(form["format"], form.formats, strict=True)),
    }
    return render(request, "courses/start.html", context)


def checklist(course: Course, plan) -> dict:
    """Return this phase's tasks with their state, overdue ones first, and the routine."""
    fmt = get_format(course.format)
    done = {t.task_id for t in course.task_completions.all()}
    overdue = [t for t in plan.tasks if t.overdue]
    phase_tasks = tasks_for(plan.phase, fmt)
    return {
        "overdue": overdue,
        "items": [(t, t.id in done) for t in phase_tasks if not t.recurring],
        "routine": [t for t in phase_tasks if t.recurring],
    }


@clinician_required
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    """Show today's agenda first, then the contract, focus, goals, records and history.

    The page's body is kept until the course changes (`{% kept %}` in the template); its
    parts are computed only when the body is made again, so a page whose course has not
    changed costs the access check and two cache reads.
    """
    course = get_course_for_user(request, course_id)
    details = SimpleLazyObject(lambda: _details(course))
    context = {
        "course": course,
        "can_edit": policy.may_write_course(request.user, course),
        "active": course.status == Course.Status.ACTIVE,
        **{name: SimpleLazyObject(partial(getitem, details, name)) for name in DETAILS},
    }
    return render(request, "courses/detail.html", context)


DETAILS = (
    "agenda", "phase", "checklist", "current_foci", "past_foci", "contracts", "goals",
    "sick_role", "medication", "sessions", "review", "plan", "followed_by", "client_alerts",
    "history",
)  # fmt: skip


def _details(course: Course) -> dict[str, object]:
    """Return what the course page's body shows besides the course row itself."""
    plan = services.next_agenda(course)
    foci = list(course.foci.order_by("replaced_at", "position", "id"))
    return {
        "agenda": plan,
        "phase": services.current_phase(course),
        "checklist": checklist(course, plan),
        "current_foci": [f for f in foci if f.replaced_at is None],
        "past_foci": [f for f in foci if f.replaced_at is not None],
        "contracts": list(course.contracts.select_related("recorded_by")),
        "goals": list(course.goals.all()),
        "sick_role": getattr(course, "sick_role", None),
        "history": getattr(course, "history", None),
        "medication": list(course.medication_evals.all()),
        "sessions": list(course.sessions.order_by("-date", "-id")),
        "review": getattr(course, "termination", None),
        "plan": getattr(course, "relapse_plan", None),
        "followed_by": list(course.followed_by.all()),
        # Open alerts belong to the client: those raised on their other courses show here.
        "client_alerts": list(
            Alert.objects.open()
            .filter(course__client_id=course.client_id)
            .exclude(course=course)
            .select_related("course")
        ),
    }


@therapist_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, course_id: int) -> HttpResponse:
    """Record a session fast: date, attendance, tasks, techniques, strategies and note."""
    course = get_course_for_user(request, course_id, write=True)
    plan = services.next_agenda(course)
    form = SessionForm(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        give_now = form.cleaned_data.pop("give_now")
        try:
            session = services.record_session(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            attended = session.attendance == Session.Attendance.ATTENDED
            messages.success(
                request, f"Session {session.number} {'recorded' if attended else 'noted'}."
            )
            if give_now and attended:
                return redirect(entry_chain_url(course.pk, session.pk, give_now))
            return redirect(course)
    blocked = _blocked(course, plan)
    context = {"form": form, "course": course, "agenda": plan, "blocked": blocked}
    return render(request, "courses/session_form.html", context)


def _blocked(course: Course, plan) -> Notice | None:
    """Return the reminder that will refuse an attended session, to show it up front."""
    for reminder in plan.reminders:
        if reminder.code == "beyond_contract":
            return reminder
        if reminder.code == "contract_missing" and plan.phase != "initial":
            return reminder
    return None


@therapist_required
@require_POST
def toggle_task(request: HttpRequest, course_id: int, task_id: str) -> HttpResponse:
    """Tick or untick a phase task; htmx gets the updated item, others the course page."""
    course = get_course_for_user(request, course_id, write=True)
    done = request.POST.get("done") == "on"
    try:
        if done:
            services.complete_task(request.user, course, task_id)
        else:
            services.uncomplete_task(request.user, course, task_id)
    except ValidationError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(" ".join(error.messages), status=400)
        messages.error(request, " ".join(error.messages))
        return redirect(course)
    if request.htmx:  # type: ignore[attr-defined]
        context = {"course": course, "task": get_task(task_id), "done": done}
        context.update(can_edit=True, active=True, overdue=False)
        return render(request, "courses/_task.html", context)
    return redirect(course)
