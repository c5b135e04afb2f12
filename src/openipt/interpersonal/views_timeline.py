"""Timeline pages: dated life events, the symptom onset and PHQ-9 totals on one axis.

The timeline is an app aid for linking events and mood [S2], [S148]; the IPT manuals do not
name it as an instrument (ipt.md §6.4, UNCONFIRMED as a component).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors
from openipt.courses.access import get_course_for_user
from openipt.courses.models import Course
from openipt.interpersonal import services
from openipt.interpersonal.drawing import near_and_far, phq9_points, timeline_svg
from openipt.interpersonal.forms import EventForm, OnsetForm
from openipt.interpersonal.models import LifeEvent
from openipt.interpersonal.support import timing_words
from openipt.interpersonal.views import PERSON_FIELD, can_edit

EVENT_LIMIT = 200  # a timeline of one episode; more than this is not a timeline any more


def _timeline_context(
    request: HttpRequest,
    course: Course,
    *,
    event_form: EventForm | None = None,
    onset_form: OnsetForm | None = None,
) -> dict[str, Any]:
    events = list(
        LifeEvent.objects.filter(course=course)
        .select_related("person")
        .order_by("date", "id")[:EVENT_LIMIT]
    )
    scores = phq9_points(course)
    rows = [{"event": e, "timing": timing_words(e.date, course.symptom_onset)} for e in events]
    return {
        "course": course,
        "rows": rows,
        "far": near_and_far(events, course.symptom_onset)[1],
        "scores": scores,
        "svg": timeline_svg(course, events, scores, "Life events and symptom onset"),
        "event_form": event_form or EventForm(course=course),
        "onset_form": onset_form or OnsetForm(initial={"symptom_onset": course.symptom_onset}),
        "can_edit": can_edit(request, course),
        "tab": "timeline",
    }


@clinician_required
def timeline(request: HttpRequest, course_id: int) -> HttpResponse:
    """Show the events, the onset and the scores on one time axis, with a table."""
    course = get_course_for_user(request, course_id)
    return render(request, "interpersonal/timeline.html", _timeline_context(request, course))


@therapist_required
@require_POST
def onset_set(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_user(request, course_id, write=True)
    form = OnsetForm(request.POST)
    if form.is_valid():
        try:
            services.set_symptom_onset(request.user, course, form.cleaned_data["symptom_onset"])
        except ValidationError as error:
            apply_errors(form, error, PERSON_FIELD)
        else:
            messages.success(request, "Symptom onset saved.")
            return redirect("interpersonal:timeline", course.pk)
    context = _timeline_context(request, course, onset_form=form)
    return render(request, "interpersonal/timeline.html", context)


@therapist_required
@require_POST
def event_add(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_user(request, course_id, write=True)
    form = EventForm(request.POST, course=course)
    if form.is_valid():
        try:
            event = services.add_event(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error, PERSON_FIELD)
        else:
            messages.success(request, f"{event.get_kind_display()} added to the timeline.")
            return redirect("interpersonal:timeline", course.pk)
    context = _timeline_context(request, course, event_form=form)
    return render(request, "interpersonal/timeline.html", context)


@therapist_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, course_id: int, event_id: int) -> HttpResponse:
    course = get_course_for_user(request, course_id, write=True)
    event = get_object_or_404(LifeEvent, pk=event_id, course=course)
    form = EventForm(
        request.POST or None, instance=LifeEvent.objects.get(pk=event.pk), course=course
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(request.user, event, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error, PERSON_FIELD)
        else:
            messages.success(request, "Event saved.")
            return redirect("interpersonal:timeline", course.pk)
    context = {"course": course, "event": event, "form": form, "tab": "timeline"}
    return render(request, "interpersonal/event_form.html", context)


@therapist_required
@require_POST
def event_delete(request: HttpRequest, course_id: int, event_id: int) -> HttpResponse:
    course = get_course_for_user(request, course_id, write=True)
    event = get_object_or_404(LifeEvent, pk=event_id, course=course)
    services.delete_event(request.user, event)
    messages.success(request, "Event removed from the timeline.")
    return redirect("interpersonal:timeline", course.pk)
