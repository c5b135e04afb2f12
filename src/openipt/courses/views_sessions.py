"""A session's own page and its correction, the course's corrections, closing it early."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openipt import policy
from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors
from openipt.courses import services
from openipt.courses.access import get_course_for_user
from openipt.courses.amendment_log import course_amendments
from openipt.courses.amendments import AMENDABLE, amend_session, previous_rows
from openipt.courses.forms import CloseCourseForm, SessionAmendForm
from openipt.courses.models import Course, Session


def _session(course: Course, session_id: int) -> Session:
    try:
        return course.sessions.select_related("recorded_by").get(pk=session_id)
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404("No such session") from None


@clinician_required
def session_detail(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    """Show the session as recorded now, and every amendment with what it said before."""
    course = get_course_for_user(request, course_id)
    session = _session(course, session_id)
    amendments = session.amendments.select_related("changed_by").order_by("-changed_at", "-id")
    context = {
        "course": course,
        "session": session,
        "amendments": [(a, previous_rows(a)) for a in amendments],
        "can_edit": policy.may_write_course(request.user, course),
    }
    return render(request, "courses/session_detail.html", context)


@therapist_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    """Correct a session record; its previous version is kept as an amendment."""
    course = get_course_for_user(request, course_id, write=True)
    session = _session(course, session_id)
    initial = {name: getattr(session, name) for name in AMENDABLE}
    form = SessionAmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            amend_session(request.user, session, reason=reason, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Session corrected; the previous version is kept.")
            return redirect("courses:session", course.pk, session.pk)
    context = {"course": course, "session": session, "form": form}
    return render(request, "courses/session_edit.html", context)


@therapist_required
@require_http_methods(["GET", "POST"])
def close_course(request: HttpRequest, course_id: int) -> HttpResponse:
    """End the course because the client dropped out or it was opened in error."""
    course = get_course_for_user(request, course_id, write=True)
    form = CloseCourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_course(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Course closed: {form.cleaned_data['how'].replace('_', ' ')}."
            )
            return redirect(course)
    return render(request, "courses/close.html", {"course": course, "form": form})


@clinician_required
def amendments(request: HttpRequest, course_id: int) -> HttpResponse:
    """List every correction of the course's record: details, sessions, questionnaires."""
    course = get_course_for_user(request, course_id)
    context = {"course": course, "entries": course_amendments(course)}
    return render(request, "courses/amendments.html", context)
