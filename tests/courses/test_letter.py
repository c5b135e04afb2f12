"""The end-of-treatment letter: the same template as a page and as a valid PDF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from openipt.courses import services
from tests.courses.conftest import START
from tests.factories import agree_contract, run_sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(cast, course):
    """A 12-session course ended with a maintenance contract."""
    actor = cast.therapist
    services.update_course(actor, course, referrer="Dr Rivera, Riverside Surgery")
    agree_contract(actor=actor, course=course, planned_sessions=12)
    run_sessions(actor=actor, course=course, count=3)
    services.set_focus(actor, course, [{"area": "role_transition"}])
    services.set_goals(
        actor,
        course,
        [
            {"text": "Feel settled in the new job", "status": "met"},
            {"text": "Make one friend in town", "status": "partly_met"},
            {"text": "Keep up the Sunday calls", "after_treatment": True},
        ],
    )
    run_sessions(actor=actor, course=course, count=1, attendance="cancelled")
    run_sessions(actor=actor, course=course, count=9)
    services.record_termination(
        actor,
        course,
        achieved="Settled at work",
        warning_signs="Skipping lunch with colleagues",
        what_helps="Planning the week on Sunday",
        whom_to_contact="GP or the service on 0100 000",
        maintenance_discussed=True,
        decision="maintenance_contract",
        maintenance_frequency="monthly",
        maintenance_months=12,
        ended_on=course.last_session_on + timedelta(days=1),
    )
    course.refresh_from_db()
    return course


EXPECTED = [
    "End-of-treatment letter",
    "Dr Rivera, Riverside Surgery",
    "Carla Client",
    "12 of 12 planned",
    "1 cancelled, 0 not attended",
    "Role transitions",
    "Feel settled in the new job",
    "Partly met",
    "Skipping lunch with colleagues",
    "Keep up the Sunday calls",
    "Maintenance contract",
    "Maintenance IPT, monthly, for 12 months (12 sessions)",
    "Therapist Tom",
]


def test_it_renders_the_letter_as_a_page(cast, ended, login):
    body = login(cast.therapist).get(reverse("courses:letter", args=[ended.pk])).content.decode()
    for text in EXPECTED:
        assert text in body, text
    assert "Download as PDF" in body and "Draft" not in body


def test_it_renders_the_letter_as_a_valid_pdf(cast, ended, login):
    response = login(cast.therapist).get(reverse("courses:letter_pdf", args=[ended.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in EXPECTED:
        assert expected in text, expected
    assert "Download as PDF" not in text


def test_it_marks_the_letter_of_an_active_course_as_a_draft(cast, course, login):
    body = login(cast.supervisor).get(reverse("courses:letter", args=[course.pk])).content
    assert b"Draft: this course has not ended yet." in body
    assert START.strftime("%-d %B %Y").encode() in body
