"""Psychotherapy notes: only their author reads them, unless a disclosure names a colleague."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openipt.privacy import services
from openipt.privacy.models import PsychotherapyNote
from tests.factories import add_session

pytestmark = pytest.mark.django_db


def _url(course) -> str:
    return reverse("privacy:notes", args=[course.pk])


def test_it_lets_the_therapist_write_and_read_their_notes(cast, course, session_row, login):
    c = login(cast.therapist)
    response = c.post(_url(course), {"text": "Felt pulled to rescue", "session": session_row.pk})
    assert response.status_code == 302
    note = PsychotherapyNote.objects.get()
    assert (note.author, note.session, note.text) == (
        cast.therapist,
        session_row,
        "Felt pulled to rescue",
    )
    page = c.get(_url(course))
    assert b"Felt pulled to rescue" in page.content
    assert b"session 1" in page.content


def test_it_shows_an_error_summary_for_an_empty_note(cast, course, login):
    response = login(cast.therapist).post(_url(course), {"text": "   "})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert not PsychotherapyNote.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"), [("bad\x00byte", b"Null characters"), ("bell\x07", b"control character")]
)
def test_it_refuses_control_characters(cast, course, login, text, message):
    response = login(cast.therapist).post(_url(course), {"text": text})
    assert message in response.content
    assert not PsychotherapyNote.objects.exists()


def test_it_refuses_a_session_of_another_course(cast, course, other_course, login):
    foreign = add_session(course=other_course, number=1)
    response = login(cast.therapist).post(_url(course), {"text": "x", "session": foreign.pk})
    assert response.status_code == 200
    assert not PsychotherapyNote.objects.exists()


def test_it_hides_notes_from_the_supervisor(cast, course, note, login):
    response = login(cast.supervisor).get(_url(course))
    assert response.status_code == 200
    assert b"sister" not in response.content
    assert b"No note of this course has been disclosed to you" in response.content


def test_it_shows_the_supervisor_only_notes_disclosed_to_them(cast, course, note, login):
    services.add_note(cast.therapist, course, "Not disclosed: countertransference")
    services.record_disclosure(
        cast.therapist,
        cast.client,
        notes=[note],
        recipient="Supervisor Sue",
        recipient_user=cast.supervisor,
        purpose="supervision",
        authorised_by="the client",
        authorised_on=course.started_on,
    )
    content = login(cast.supervisor).get(_url(course)).content
    assert b"sister" in content
    assert b"countertransference" not in content
    assert b"disclosed to you" in content


def test_it_refuses_a_supervisor_writing_a_note(cast, course, login):
    response = login(cast.supervisor).post(_url(course), {"text": "mine"})
    assert response.status_code == 403
    assert not PsychotherapyNote.objects.exists()


def test_it_hides_the_notes_page_from_an_outsider(cast, course, note, login):
    assert login(cast.outsider).get(_url(course)).status_code == 404
    assert login(cast.outsider).post(_url(course), {"text": "x"}).status_code == 404


def test_it_refuses_the_notes_page_to_the_client_and_the_admin(cast, course, login):
    assert login(cast.client_user).get(_url(course)).status_code == 403
    assert login(cast.admin).get(_url(course)).status_code == 403


def test_it_sends_anonymous_users_to_login(client, course):
    response = client.get(_url(course))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("extra", [3, 40])
def test_it_keeps_the_notes_query_count_flat(
    cast, course, session_row, login, django_assert_max_num_queries, extra
):
    PsychotherapyNote.objects.bulk_create(
        PsychotherapyNote(course=course, session=session_row, author=cast.therapist, text=f"n{i}")
        for i in range(extra)
    )
    c = login(cast.therapist)
    url = _url(course)
    c.get(url)  # warm up: per-process caches (content types, the audit chain) are not the page's
    with django_assert_max_num_queries(13):
        response = c.get(url)
    assert response.status_code == 200
