"""A therapist corrects a questionnaire, the course's details and a note through the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from openipt.assessments.services import submit_assessment
from openipt.courses.amendments import amend_session
from openipt.privacy.services import add_note
from tests.factories import add_session, make_course, phq9_answers, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_corrects_answers_and_shows_the_amendment_on_the_measures(
    cast, page, sign_in, live_server, shoot
):
    course = make_course(client=cast.client, started_on=today() - timedelta(days=14))
    session = add_session(course=course, number=1, date=today() - timedelta(days=7), notes="Frist")
    amend_session(cast.therapist, session, reason="Spelling", notes="First")
    admin = submit_assessment(
        cast.therapist, course, "phq9", phq9_answers(total=12), session=session
    ).administration
    sign_in("ther")
    page.goto(f"{live_server.url}/courses/{course.pk}/measures/{admin.pk}/")
    page.get_by_role("button", name="Correct the answers").click()
    page.locator("#item_9_1").check()
    page.get_by_label("Why are the answers corrected?").fill("Item 9 was missed when typing")
    shoot("questionnaire-correct")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Answers corrected: total 13 (was 12)")).to_be_visible()
    expect(page.get_by_text("Alert raised", exact=False).first).to_be_visible()
    expect(page.get_by_text("Amended", exact=True)).to_be_visible()
    shoot("questionnaire-amended")
    page.goto(f"{live_server.url}/courses/{course.pk}/measures/")
    expect(page.get_by_role("heading", name="Corrected questionnaires")).to_be_visible()
    expect(page.get_by_text("Item 9 was missed when typing")).to_be_visible()
    shoot("measures-corrected")
    page.goto(f"{live_server.url}/courses/{course.pk}/amendments/")
    expect(page.get_by_text("Spelling")).to_be_visible()
    shoot("course-amendments")


def test_it_corrects_a_mistyped_start_and_a_note(cast, page, sign_in, live_server, shoot, settings):
    settings.OPENIPT_OLD_START_DAYS = 730  # the service's default (settings.py)
    course = make_course(client=cast.client, started_on=today() - timedelta(days=10))
    add_note(cast.therapist, course, "Felt ashmed about the row.")
    sign_in("ther")
    page.goto(f"{live_server.url}/courses/{course.pk}/details/")
    page.get_by_label("Start date", exact=True).fill("1990-01-05")
    page.get_by_label("Onset of symptoms").fill((today() + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Say why the record is changed")
    expect(summary).to_contain_text("cannot be in the future")
    expect(summary).to_contain_text("more than 730 days ago")
    shoot("details-errors")
    page.get_by_label("Start date", exact=True).fill((today() - timedelta(days=12)).isoformat())
    page.get_by_label("Onset of symptoms").fill("")
    page.get_by_label("Why is a recorded detail changed?").fill("Started two days earlier")
    page.get_by_role("button", name="Save").click()
    page.goto(f"{live_server.url}/courses/{course.pk}/details/")
    expect(page.get_by_text("Start date before")).to_be_visible()
    shoot("details-amended")
    page.goto(f"{live_server.url}/privacy/courses/{course.pk}/notes/")
    page.get_by_role("link", name="Correct").click()
    page.get_by_label("Private note").fill("Felt ashamed about the row.")
    page.get_by_label("Why is the note changed?").fill("Spelling")
    page.get_by_role("button", name="Save the correction").click()
    page.get_by_text("Earlier version (corrected once)").click()
    expect(page.get_by_text("Felt ashmed about the row.")).to_be_visible()
    shoot("note-amended")
