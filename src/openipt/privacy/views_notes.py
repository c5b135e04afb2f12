"""Psychotherapy notes of a course: only their author (or a disclosed-to colleague) reads them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openipt import policy
from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.errors import apply_errors
from openipt.courses.models import Course
from openipt.privacy import services
from openipt.privacy.access import get_notes_course
from openipt.privacy.forms import NoteAmendForm, NoteForm
from openipt.privacy.models import Disclosure, NoteAmendment, PsychotherapyNote

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
        .annotate(
            disclosed=Exists(
                Disclosure.notes.through.objects.filter(psychotherapynote=OuterRef("pk"))
            )
        )
        .prefetch_related(
            Prefetch(
                "amendments",
                # Earlier versions are the author's alone: a disclosure shows the note as it is.
                queryset=NoteAmendment.objects.filter(note__author=request.user.pk)
                .select_related("changed_by")
                .order_by("-changed_at", "-id"),
            )
        )
    )
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"course": course, "client": course.client, "page": page, "form": form}
    return render(request, "privacy/notes.html", context)


@therapist_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, course_id: int, note_id: int) -> HttpResponse:
    """Correct one of the author's own notes; the earlier text is kept as an amendment."""
    course = get_notes_course(request, course_id)
    note = _own_note(request, course, note_id)
    form = NoteAmendForm(request.POST or None, initial={"text": note.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.amend_note(request.user, note, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Note corrected; the earlier text is kept for you.")
            return redirect("privacy:notes", course.pk)
    context = {"course": course, "client": course.client, "note": note, "form": form}
    return render(request, "privacy/note_edit.html", context)


def _own_note(request: HttpRequest, course: Course, note_id: int) -> PsychotherapyNote:
    """Return a note of this course the user may read; refuse a correction by anyone else."""
    try:
        note = (
            PsychotherapyNote.objects.visible_to(request.user)
            .select_related("session")
            .get(pk=note_id, course=course)
        )
    except (PsychotherapyNote.DoesNotExist, ValueError, TypeError):
        raise Http404("No such note") from None
    if not policy.may_amend_note(request.user, note):
        raise PermissionDenied("Only the note's author can correct it.")
    return note
