"""The client's pages: home, plan and tasks, daily log, progress, and staying well.

Every view is for the client role only (staff get 403) and reads through `portal_client`,
so a client only ever reaches their own record; another client's object is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from openipt.clients.safety import shared_plan
from openipt.core.decorators import role_required
from openipt.core.errors import apply_errors
from openipt.courses.models import Course
from openipt.portal import conf, services
from openipt.portal.access import get_task_for_client, portal_client
from openipt.portal.charts import mood_table_and_chart
from openipt.portal.forms import MoodForm
from openipt.portal.models import ClientTask, MoodEntry
from openipt.portal.plan import plan_for, progress_for, staying_well

client_required = role_required("client")


def _open_tasks(course: Course | None) -> int:
    """Count the open tasks of the latest session that agreed any work."""
    if course is None:
        return 0
    latest = (
        ClientTask.objects.filter(course=course)
        .order_by("-session__date", "-session_id")
        .values_list("session_id", flat=True)
        .first()
    )
    return ClientTask.objects.filter(session_id=latest, done_at=None).count() if latest else 0


@client_required
def home(request: HttpRequest) -> HttpResponse:
    """Show what needs doing now: questionnaires due, open tasks, today's log."""
    client = portal_client(request)
    course = services.current_course(client)
    active = course is not None and course.status == Course.Status.ACTIVE
    logged_today = (
        active and MoodEntry.objects.filter(course=course, date=timezone.localdate()).exists()
    )
    context = {
        "client": client,
        "course": course,
        "active": active,
        "due": services.due_questionnaires(course),
        "open_tasks": _open_tasks(course),
        "logged_today": logged_today,
    }
    return render(request, "portal/home.html", context)


@client_required
def plan(request: HttpRequest) -> HttpResponse:
    """Show the goals, the problem area in plain words, and the work between sessions."""
    client = portal_client(request)
    course = services.current_course(client)
    tasks = (
        list(ClientTask.objects.filter(course=course).select_related("session"))
        if course is not None
        else []
    )
    sessions: dict[int, dict] = {}
    for task in tasks:
        group = sessions.setdefault(task.session_id, {"session": task.session, "tasks": []})
        group["tasks"].append(task)
    groups = sorted(sessions.values(), key=lambda g: (g["session"].date, g["session"].pk))
    groups.reverse()
    context = {
        "client": client,
        "plan": plan_for(course),
        "latest_group": groups[0] if groups else None,
        "earlier_groups": groups[1:],
    }
    return render(request, "portal/plan.html", context)


@client_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    """Tick a task off, or untick it."""
    task = get_task_for_client(request, task_id)
    done = request.POST.get("done") == "1"
    services.set_task_done(request.user, task, done)
    if done:
        messages.success(request, _("Marked as done: %(task)s") % {"task": task.text})
    else:
        messages.info(request, _("Marked as not done: %(task)s") % {"task": task.text})
    return redirect(reverse("portal:plan") + "#tasks")


@client_required
@require_http_methods(["GET", "POST"])
def mood(request: HttpRequest) -> HttpResponse:
    """Log today's mood and contacts, and show the last four weeks."""
    client = portal_client(request)
    course = services.current_course(client)
    active = course is not None and course.status == Course.Status.ACTIVE
    today = (
        MoodEntry.objects.filter(course=course, date=timezone.localdate()).first()
        if active
        else None
    )
    initial = {"mood": today.mood, "contacts": today.contacts, "note": today.note} if today else {}
    form = MoodForm(request.POST or None, initial=initial)
    if request.method == "POST" and active and form.is_valid():
        assert course is not None
        try:
            services.log_mood(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Today's log is saved."))
            return redirect("portal:mood")
    entries = services.recent_mood(course) if course is not None else []
    context = {
        "client": client,
        "course": course,
        "active": active,
        "form": form,
        "today": today,
        "mood_choices": list(range(11)),
        "panel": mood_table_and_chart(entries, title=_("My mood and contacts")),
    }
    return render(request, "portal/mood.html", context)


@client_required
def progress(request: HttpRequest) -> HttpResponse:
    """Show the client's scores over time in plain words, unless the therapist turned it off."""
    client = portal_client(request)
    shown = client.show_progress_to_client
    context = {"client": client, "shown": shown, "courses": progress_for(client) if shown else []}
    return render(request, "portal/progress.html", context)


@client_required
def safety_plan_page(request: HttpRequest) -> HttpResponse:
    """Show the safety plan the therapist shared, on the phone, with the crisis numbers."""
    client = portal_client(request)
    context = {"plan": shared_plan(client), "crisis_text": conf.crisis_text()}
    return render(request, "portal/safety_plan.html", context)


@client_required
def staying_well_page(request: HttpRequest) -> HttpResponse:
    """Show the relapse-prevention plan and any maintenance sessions, during and after."""
    client = portal_client(request)
    well = staying_well(client)
    maintenance = [
        (course, list(course.sessions.filter(attendance="attended").order_by("date")))
        for course in well.maintenance
    ]
    context = {
        "client": client,
        "well": well,
        "maintenance": maintenance,
        "crisis_text": conf.crisis_text(),
    }
    return render(request, "portal/staying_well.html", context)
