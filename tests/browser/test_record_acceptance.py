"""Issue 15's acceptance in the browser: scores on their sessions' dates, an ended course's open
alert on the caseload and the new course, and a letter edited, frozen and read as PDF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from openipt.assessments.services import client_alerts_changed, submit_assessment
from tests.factories import add_session, make_alert, make_course, phq9_answers, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_draws_scores_typed_in_late_on_their_sessions_dates(cast, page, sign_in, live_server):
    course = make_course(client=cast.client, started_on=today() - timedelta(days=60))
    for n, total in enumerate([16, 13, 9], start=1):
        session = add_session(course=course, number=n, date=today() - timedelta(days=56 - 14 * n))
        submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=total), session)
    sign_in("ther")
    page.goto(f"{live_server.url}/courses/{course.pk}/measures/?x=date")
    table = page.locator("table").filter(has_text="Total").first
    for n in (1, 2, 3):
        day = today() - timedelta(days=56 - 14 * n)
        expect(table).to_contain_text(day.strftime("%-d %b %Y"))
    expect(table).not_to_contain_text(today().strftime("%-d %b %Y"))


def test_it_shows_an_ended_courses_open_alert_on_the_caseload_and_the_new_course(
    cast, page, sign_in, live_server
):
    ended = make_course(client=cast.client, status="ended", ended_on=today())
    current = make_course(client=cast.client, started_on=today())
    make_alert(course=ended, raised_at=today_at_noon())
    client_alerts_changed(ended)
    sign_in("ther")
    page.goto(f"{live_server.url}/courses/")
    expect(page.get_by_text("1 open alert")).to_be_visible()
    page.goto(f"{live_server.url}{current.get_absolute_url()}")
    expect(page.get_by_text("This client has an open risk alert on another course")).to_be_visible()


def test_it_edits_freezes_and_sends_the_letter_as_a_tagged_pdf(cast, page, sign_in, live_server):
    course = make_course(client=cast.client, started_on=today() - timedelta(days=30))
    sign_in("ther")
    page.goto(f"{live_server.url}/courses/{course.pk}/letter/edit/")
    page.locator("#id_recipient").fill("Dr Rivera, Riverside Surgery")
    page.get_by_label("Opening paragraph").fill(
        "Carla asked me to write to you about her progress."
    )
    page.get_by_role("button", name="Save the letter").click()
    expect(page.get_by_text("Letter saved.")).to_be_visible()
    page.get_by_role("button", name="Freeze and send").click()
    link = page.get_by_role("link", name="Sent")
    pdf = page.request.get(f"{live_server.url}{link.get_attribute('href')}").body()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 3
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "asked me to write to you" in " ".join(text.split())


def today_at_noon():
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(today(), time(12)))
