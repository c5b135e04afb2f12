"""Correcting a session: the record changes, the previous version is kept and shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from openipt.courses.amendments import amend_session
from openipt.courses.models import Session, SessionAmendment
from tests.factories import add_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(cast, course):
    first = add_session(course=course, number=1, notes="Talked about her motehr.")
    second = add_session(course=course, number=2, date=first.date + timedelta(days=7))
    return first, second


def test_it_corrects_a_session_and_keeps_what_it_said(cast, sessions):
    first, _ = sessions
    amendment = amend_session(
        cast.therapist,
        first,
        reason="Typing error in the note",
        notes="Talked about her mother.",
        modality="video",
    )
    first.refresh_from_db()
    assert (first.notes, first.modality) == ("Talked about her mother.", "video")
    assert amendment.previous == {"notes": "Talked about her motehr.", "modality": "in_person"}
    assert amendment.changed_by == cast.therapist and amendment.reason == "Typing error in the note"


def test_it_needs_a_reason_and_a_change_and_keeps_the_order_of_sessions(cast, sessions):
    first, second = sessions
    with pytest.raises(ValidationError) as refused:
        amend_session(cast.therapist, first, reason="", date=second.date + timedelta(days=1))
    assert {"reason", "date"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError, match="Nothing was changed"):
        amend_session(cast.therapist, first, reason="Check", notes=first.notes)
    with pytest.raises(ValidationError):
        amend_session(cast.therapist, second, reason="x", date=first.date - timedelta(days=1))
    assert not SessionAmendment.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "outsider", "client_user"])
def test_it_lets_only_the_courses_therapist_amend(cast, sessions, who):
    with pytest.raises(PermissionDenied):
        amend_session(getattr(cast, who), sessions[0], reason="x", notes="changed")


def test_it_shows_the_amendment_on_the_session_page(cast, course, sessions, login):
    first, _ = sessions
    web = login(cast.therapist)
    edit = reverse("courses:session_edit", args=[course.pk, first.pk])
    form = web.get(edit).content.decode()
    assert "Talked about her motehr." in form
    saved = web.post(
        edit,
        {
            "date": first.date.isoformat(),
            "modality": "in_person",
            "notes": "Talked about her mother.",
            "reason": "Typing error",
        },
    )
    assert saved.status_code == 302
    page = web.get(reverse("courses:session", args=[course.pk, first.pk])).content.decode()
    assert "Amended" in page and "Typing error" in page
    assert "Progress note before" in page and "Talked about her motehr." in page
    assert Session.objects.get(pk=first.pk).notes == "Talked about her mother."
    supervisor = login(cast.supervisor)
    assert supervisor.get(reverse("courses:session", args=[course.pk, first.pk])).status_code == 200
    assert supervisor.post(edit, {"reason": "x"}).status_code == 403
    assert login(cast.outsider).get(edit).status_code == 404
