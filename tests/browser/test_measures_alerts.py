"""A therapist enters a PHQ-9 with a risk answer, sees the alert and resolves it."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import add_session, make_course, phq9_answers, run_course, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHQ9 = [
    ("1. Little interest or pleasure in doing things", "More than half the days"),
    ("2. Feeling down, depressed, or hopeless", "Nearly every day"),
    ("3. Trouble falling or staying asleep", "More than half the days"),
    ("4. Feeling tired or having little energy", "Nearly every day"),
    ("5. Poor appetite or overeating", "Several days"),
    ("6. Feeling bad about yourself", "More than half the days"),
    ("7. Trouble concentrating on things", "Several days"),
    ("8. Moving or speaking so slowly", "Not at all"),
]


@pytest.fixture
def scored_course(cast):
    """A course six weeks in: five sessions scored, with no alert, and today's session held."""
    course = make_course(
        client=cast.client,
        planned_sessions=12,
        started_on=today() - datetime.timedelta(weeks=6),
        contract_agreed_on=today() - datetime.timedelta(weeks=6),
    )
    run_course(course=course, phq9_totals=[19, 17, 16, 16, 15], gad7_totals=[14, 13, 13, 12, 11])
    add_session(course=course, number=6, date=today())
    return course


def _answer(page, legend: str, label: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label(label, exact=False).first.check()


def test_it_takes_a_risk_answer_to_a_resolved_alert(
    cast, scored_course, sign_in, live_server, shoot
):
    page = sign_in("ther")
    page.goto(f"{live_server.url}/courses/{scored_course.pk}/measures/")
    expect(page.get_by_role("heading", name="Measures")).to_be_visible()
    expect(page.locator("figure.chart svg")).to_have_count(2)
    shoot("measures-course")

    page.get_by_role("button", name="Enter PHQ-9").click()
    expect(page.get_by_role("heading", name="Enter PHQ-9")).to_be_visible()
    page.get_by_role("button", name="Save PHQ-9").click()  # nothing answered
    expect(page.get_by_role("alert")).to_contain_text("Item 1: an answer is required")
    for legend, label in PHQ9:
        _answer(page, legend, label)
    _answer(page, "9. Thoughts that you would be better off dead", "Several days")
    shoot("measures-questionnaire")
    page.get_by_role("button", name="Save PHQ-9").click()

    expect(page.get_by_text("PHQ-9 saved: total 15 (Moderately severe).")).to_be_visible()
    raised = page.get_by_text("Alert raised: PHQ-9 item 9 answered “Several days” (1)")
    expect(raised).to_be_visible()

    page.goto(f"{live_server.url}/courses/{scored_course.pk}/")
    panel = page.locator(".measures-panel")
    expect(panel.get_by_text("Open alert")).to_be_visible()
    expect(panel.get_by_text("PHQ-9 item 9 answered “Several days” (1)")).to_be_visible()
    expect(panel.locator("figure.chart svg[role=img]")).to_have_count(1)  # after the page
    panel.scroll_into_view_if_needed()
    shoot("measures-course-panel")

    page.goto(f"{live_server.url}/alerts/")
    row = page.get_by_role("row", name="Carla Client")
    expect(row.get_by_text("Open alert")).to_be_visible()
    shoot("measures-alert-list")
    row.get_by_role("button", name="Resolve").click()

    page.get_by_role("button", name="Resolve alert").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the action you took.")
    page.get_by_label("Safety plan made or reviewed").check()
    note = "Assessed in session: passive thoughts, no plan. Safety plan reviewed."
    page.get_by_label("Note").fill(note)
    shoot("measures-resolve")
    page.get_by_role("button", name="Resolve alert").click()

    expect(page.get_by_text("Alert resolved. It stays in the course's record.")).to_be_visible()
    expect(page.get_by_text("No open alerts.")).to_be_visible()
    page.goto(f"{live_server.url}/courses/{scored_course.pk}/measures/")
    expect(page.get_by_text("Safety plan made or reviewed")).to_be_visible()
    status = page.locator("ul.measure-status")
    expect(status.get_by_text("Open alert")).to_have_count(0)
    expect(page.get_by_text(note)).to_be_visible()


def test_it_shows_the_supervisor_the_alert_but_no_resolve_form(
    cast, scored_course, sign_in, live_server
):
    from openipt.assessments.services import submit_assessment

    submit_assessment(cast.therapist, scored_course, "phq9", phq9_answers(total=12, item9=2))
    page = sign_in("sup")
    page.goto(f"{live_server.url}/alerts/")
    page.get_by_role("row", name="Carla Client").get_by_role("link", name="View").click()
    expect(page.get_by_text("Only the client's therapist can resolve this alert.")).to_be_visible()
    expect(page.get_by_role("button", name="Resolve alert")).to_have_count(0)
