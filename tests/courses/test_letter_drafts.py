"""The letter as a draft the therapist edits, without third parties' names unless chosen,
with risk and medication, tagged as PDF/UA, and frozen when sent."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from openipt.courses.letter import render_letter_pdf
from openipt.courses.letter_drafts import save_draft, send_letter, sent_pdf
from openipt.courses.models_letter import DEFAULT_SECTIONS, SentLetter
from openipt.interpersonal import services as inventory
from tests.courses.test_letter import ended  # noqa: F401 - the fixture
from tests.factories import make_alert

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_it_leaves_out_third_parties_names_unless_the_circles_are_chosen(cast, ended):  # noqa: F811
    inventory.add_person(cast.therapist, ended, label="Auntie Marisol", ring=1)
    plain = _text(render_letter_pdf(ended)[0])
    assert "Auntie Marisol" not in plain
    save_draft(cast.therapist, ended, sections=[*DEFAULT_SECTIONS, "relationships"])
    assert "Auntie Marisol" in _text(render_letter_pdf(ended)[0])


def test_it_includes_risk_and_medication_and_stays_short_and_tagged(cast, ended):  # noqa: F811
    alert = make_alert(course=ended, raised_at=timezone.now())
    alert.status, alert.action, alert.resolved_at = "resolved", "risk_assessed", timezone.now()
    alert.save()
    pdf, pages = render_letter_pdf(ended)
    text = _text(pdf)
    assert "Risk" in text and "risk answer (PHQ9 item 9, 2)" in text
    assert "Medication" in text
    assert pages <= 3
    reader = PdfReader(io.BytesIO(pdf))
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # a tagged PDF
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


def test_it_writes_the_therapists_paragraphs_and_freezes_what_was_sent(cast, ended, login):  # noqa: F811
    web = login(cast.therapist)
    edit = reverse("courses:letter_edit", args=[ended.pk])
    saved = web.post(
        edit,
        {
            "recipient": "Dr Rivera",
            "opening": "Ms Client did well and asked me to write to you.",
            "closing": "Please call me with any question.",
            "sections": ["treatment", "goals", "risk", "next_step"],
        },
    )
    assert saved.status_code == 302
    page = web.get(reverse("courses:letter", args=[ended.pk])).content.decode()
    assert "asked me to write to you" in page and "Please call me" in page
    assert "Relapse-prevention plan" not in page
    assert web.post(reverse("courses:letter_send", args=[ended.pk])).status_code == 302
    sent = SentLetter.objects.get(course=ended)
    frozen = sent_pdf(sent)
    assert "asked me to write to you" in _text(frozen)
    save_draft(cast.therapist, ended, opening="A different opening.")
    download = web.get(reverse("courses:sent_letter_pdf", args=[ended.pk, sent.pk]))
    assert download.content == frozen


def test_it_lets_only_the_courses_therapist_edit_and_send(cast, ended, login):  # noqa: F811
    edit = reverse("courses:letter_edit", args=[ended.pk])
    assert login(cast.supervisor).post(edit, {"opening": "x"}).status_code == 403
    assert login(cast.outsider).get(edit).status_code == 404
    letter = send_letter(cast.therapist, ended)
    read = login(cast.supervisor).get(
        reverse("courses:sent_letter_pdf", args=[ended.pk, letter.pk])
    )
    assert read.status_code == 200
