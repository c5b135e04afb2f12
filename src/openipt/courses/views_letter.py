"""Editing and sending the end-of-treatment letter, and reading a letter as it was sent."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openipt.core.decorators import clinician_required, therapist_required
from openipt.core.downloads import content_disposition
from openipt.core.errors import apply_errors
from openipt.courses.access import get_course_for_user
from openipt.courses.forms import LetterForm
from openipt.courses.letter_drafts import draft_of, save_draft, send_letter, sent_pdf
from openipt.courses.models_letter import SentLetter


@therapist_required
@require_http_methods(["GET", "POST"])
def letter_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    """Write the letter's paragraphs and choose its sections; the letter page previews it."""
    course = get_course_for_user(request, course_id, write=True)
    draft = draft_of(course)
    initial = {
        "recipient": draft.recipient,
        "opening": draft.opening,
        "closing": draft.closing,
        "sections": draft.sections,
    }
    form = LetterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_draft(request.user, course, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Letter saved. Read it through, then send it.")
            return redirect("courses:letter_edit", course.pk)
    sent = course.sent_letters.select_related("sent_by").order_by("-sent_at", "-id")
    context = {"course": course, "form": form, "sent": sent}
    return render(request, "courses/letter_edit.html", context)


@therapist_required
@require_POST
def letter_send(request: HttpRequest, course_id: int) -> HttpResponse:
    """Freeze the letter as a PDF, kept unchanged; the therapist sends that file."""
    course = get_course_for_user(request, course_id, write=True)
    letter = send_letter(request.user, course)
    messages.success(request, f"Letter frozen as sent ({letter.pages} pages); download it below.")
    return redirect("courses:letter_edit", course.pk)


@clinician_required
def sent_letter_pdf(request: HttpRequest, course_id: int, sentletter_id: int) -> HttpResponse:
    """Return a sent letter exactly as it was sent."""
    course = get_course_for_user(request, course_id)
    letter = course.sent_letters.filter(pk=sentletter_id).first()
    if not isinstance(letter, SentLetter):
        raise Http404("No such letter")
    response = HttpResponse(sent_pdf(letter), content_type="application/pdf")
    stamp = letter.sent_at.strftime("%Y-%m-%d")
    response["Content-Disposition"] = content_disposition(f"letter-{course.pk}-{stamp}.pdf")
    return response
