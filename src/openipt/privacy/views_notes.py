"""Psychotherapy notes of a course: only their author (or a disclosed-to colleague) reads them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openipt import policy
from openipt.core.decorators import clinician_required
from openipt.privacy import services
from openipt.privacy.access import get_notes_course
from openipt.privacy.forms import NoteForm, apply_errors
from openipt.privacy.models import PsychotherapyNote

PAGE_SIZE = 20


@clinician_required
@require_http_methods(["GET", "POST"])
def course_notes(request: HttpRequest, course_id: int) -> HttpResponse:
    """List the user's own notes (and notes disclosed to them); the therapist adds here."""
    course = get_notes_course(request, course_id)
    is_author = policy.may_write_course(request.user, course)
    if request.method == "POST" and not is_author:
        raise PermissionDenied("Only the course's therapist can write psychotherapy notes.")
    form = NoteForm(request.POST or None, course=course) if is_author else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.add_note(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Note saved. Only you can read it.")
            return redirect("privacy:notes", course.pk)
    notes = (
        PsychotherapyNote.objects.visible_to(request.user)
        .filter(course=course)
        .select_related("session", "author")
        .order_by("-created_at", "-id")
    )
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"course": course, "client": course.client, "page": page, "form": form}
    return render(request, "privacy/notes.html", context)
