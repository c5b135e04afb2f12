"""Correcting a psychotherapy note: its author alone, the earlier text kept and encrypted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from openipt.privacy import services
from openipt.privacy.models import NoteAmendment, PsychotherapyNote
from tests.factories import today

pytestmark = pytest.mark.django_db
EARLIER = "Quokka-3141 felt ashamed about the row"


@pytest.fixture
def note(cast, course):
    return services.add_note(cast.therapist, course, EARLIER)


def test_it_corrects_a_note_and_keeps_the_earlier_text_encrypted(cast, note):
    amendment = services.amend_note(
        cast.therapist, note, text="Felt ashamed about the argument", reason="Wrong word"
    )
    assert PsychotherapyNote.objects.get(pk=note.pk).text == "Felt ashamed about the argument"
    assert amendment.previous == {"text": EARLIER} and amendment.reason == "Wrong word"
    with connection.cursor() as cursor:
        table = NoteAmendment._meta.db_table
        cursor.execute(f"SELECT previous, reason FROM {table}")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert "Quokka" not in stored and "Wrong word" not in stored


def test_it_needs_a_reason_and_text_together(cast, note):
    with pytest.raises(ValidationError) as refused:
        services.amend_note(cast.therapist, note, text="  ", reason="")
    assert {"text", "reason"} <= set(refused.value.message_dict)


@pytest.mark.parametrize("who", ["supervisor", "outsider", "client_user"])
def test_it_lets_only_the_author_correct(cast, note, who):
    with pytest.raises(PermissionDenied):
        services.amend_note(getattr(cast, who), note, text="changed", reason="x")


def test_it_leaves_a_disclosed_note_as_it_was_disclosed(cast, note):
    services.record_disclosure(
        cast.therapist,
        cast.client,
        notes=[note],
        recipient="Dr Rivera",
        purpose="Second opinion",
        authorised_by="Carla Client",
        authorised_on=today() - timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="disclosed"):
        services.amend_note(cast.therapist, note, text="changed", reason="x")


def test_it_corrects_on_the_page_and_shows_the_earlier_text_to_the_author_only(
    cast, course, note, login
):
    url = reverse("privacy:note_edit", args=[course.pk, note.pk])
    web = login(cast.therapist)
    assert EARLIER in web.get(url).content.decode()
    refused = web.post(url, {"text": "Felt ashamed", "reason": ""})
    assert refused.status_code == 200 and not NoteAmendment.objects.exists()
    assert web.post(url, {"text": "Felt ashamed", "reason": "Wrong word"}).status_code == 302
    page = web.get(reverse("privacy:notes", args=[course.pk])).content.decode()
    assert "Amended" in page and EARLIER in page and "Wrong word" in page
    assert login(cast.supervisor).get(url).status_code == 403
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.client_user).get(url).status_code in (403, 404)
    seen_by_supervisor = login(cast.supervisor).get(reverse("privacy:notes", args=[course.pk]))
    assert EARLIER not in seen_by_supervisor.content.decode()
