"""A therapist corrects a session through the pages and sees the amendment beside it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import add_session, make_course, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_corrects_a_session_and_shows_the_amendment(cast, page, sign_in, live_server, shoot):
    course = make_course(client=cast.client, started_on=today())
    add_session(course=course, number=1, date=today(), notes="Talked about her motehr.")
    sign_in("ther")
    page.goto(f"{live_server.url}{course.get_absolute_url()}")
    page.get_by_role("link", name=today().strftime("%-d %b %Y")).click()
    page.get_by_role("button", name="Correct this record").click()
    page.get_by_label("Progress note").fill("Talked about her mother.")
    page.get_by_label("Why is the record changed?").fill("Typing error in the note")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Session corrected; the previous version is kept.")).to_be_visible()
    expect(page.get_by_text("Typing error in the note")).to_be_visible()
    expect(page.get_by_text("Talked about her motehr.")).to_be_visible()
    expect(page.get_by_text("Amended", exact=True)).to_be_visible()
    shoot("session-amended")
