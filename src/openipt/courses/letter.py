"""The end-of-treatment letter to the referrer, as a page and as a PDF from one template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from openipt.assessments.models import Alert
from openipt.clients.safety import current_plan
from openipt.core.decorators import clinician_required
from openipt.core.downloads import content_disposition
from openipt.courses.access import get_course_for_user
from openipt.courses.letter_drafts import draft_of
from openipt.courses.models import Course, Session
from openipt.courses.models_letter import LetterDraft
from openipt.courses.records import current_foci

TEMPLATE = "courses/letter.html"
STYLESHEET = "courses/letter.css"


def letter_context(course: Course, draft: LetterDraft | None = None) -> dict[str, Any]:
    """Return what the letter says: the draft's paragraphs and chosen sections, and from the
    record the dates, sessions, focus, goals, risk, medication, plan and next step."""
    draft = draft or draft_of(course)
    counts = {a: 0 for a in Session.Attendance.values}
    for attendance in course.sessions.values_list("attendance", flat=True):
        counts[attendance] += 1
    goals = list(course.goals.all())
    follow_on = course.followed_by.order_by("started_on", "id").first()
    alerts = Alert.objects.filter(course__client_id=course.client_id).order_by("raised_at", "id")
    return {
        "course": course,
        "draft": draft,
        "show": set(draft.sections),
        "ended": course.status == Course.Status.ENDED,
        "foci": current_foci(course),
        "goals": [g for g in goals if not g.after_treatment],
        "goals_after": [g for g in goals if g.after_treatment],
        "review": getattr(course, "termination", None),
        "plan": getattr(course, "relapse_plan", None),
        "alerts": list(alerts),
        "safety_plan": current_plan(course.client),
        "medication": list(course.medication_evals.order_by("evaluated_on", "id")),
        "follow_on": follow_on,
        "cancelled": counts[Session.Attendance.CANCELLED],
        "did_not_attend": counts[Session.Attendance.DID_NOT_ATTEND],
        "written_on": timezone.localdate(),
        "service_name": settings.OPENIPT_SERVICE_NAME,
    }


def render_letter_pdf(
    course: Course, request: HttpRequest | None = None, *, draft: LetterDraft | None = None
) -> tuple[bytes, int]:
    """Return the letter as a tagged PDF (PDF/UA-1) and its number of pages."""
    from weasyprint import CSS, HTML

    context = {**letter_context(course, draft), "for_pdf": True}
    html = render_to_string(TEMPLATE, context, request=request)
    document = HTML(string=html).render(stylesheets=[CSS(filename=_stylesheet())])
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf, len(document.pages)


def _stylesheet() -> str:
    """Return the path of the letter's stylesheet, which the page links to as well."""
    path = finders.find(STYLESHEET)
    if not isinstance(path, str):
        raise ImproperlyConfigured(f"Static file {STYLESHEET} is missing.")
    return path


def pdf_response(course: Course, request: HttpRequest | None = None) -> HttpResponse:
    pdf, _pages = render_letter_pdf(course, request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"openipt-letter-{course.pk}.pdf", inline=True
    )
    return response


@clinician_required
def letter(request: HttpRequest, course_id: int) -> HttpResponse:
    """Show the letter as a page, with a link to the same letter as PDF."""
    course = get_course_for_user(request, course_id)
    return render(request, TEMPLATE, {**letter_context(course), "for_pdf": False})


@clinician_required
def letter_pdf(request: HttpRequest, course_id: int) -> HttpResponse:
    """Return the letter as a PDF for the referrer."""
    return pdf_response(get_course_for_user(request, course_id), request)
