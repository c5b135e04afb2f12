"""The client portal end to end: invitation, PHQ-9 with a risk answer, tasks, daily log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, add_session, make_client, make_course, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "my own pass 2026"
ANSWERS = [1, 2, 1, 2, 1, 1, 0, 1, 2]  # PHQ-9 items 1-9: total 11, item 9 "More than half"
LABELS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]


@pytest.fixture
def nia(cast):
    """A client with no portal account yet, a course, and work agreed in session 1."""
    client = make_client(therapist=cast.therapist, name="Nia Newton", record_number="R-5")
    course = make_course(client=client, started_on=today())
    add_session(course=course, number=1, work="Call my sister\nWalk to the park", date=today())
    return client, course


def _sign_out(page):
    page.get_by_text(re.compile(r"^(Therapist Tom|Nia Newton|Client Carla)$")).click()
    page.get_by_role("button", name="Log out").click()


def test_it_runs_the_portal_from_invitation_to_daily_log(
    cast, nia, page, browser, sign_in, live_server, shoot, settings
):
    settings.OPENIPT_BASE_URL = live_server.url
    client, course = nia

    # The therapist invites the client from the client page.
    sign_in("ther")
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(page.get_by_role("heading", name="Portal access")).to_be_visible()
    page.get_by_role("button", name="Invite to the portal").click()
    expect(page.get_by_role("heading", name=re.compile("Your invitation"))).to_be_visible()
    shoot("portal-invitation")
    link = page.locator(".portal-url").inner_text().strip()
    assert link.startswith(f"{live_server.url}/portal/join/")

    # The client opens the link in their own browser and sets a password.
    phone = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Welcome: set up your account")).to_be_visible()
    phone.get_by_label("Choose a username").fill("nia")
    phone.get_by_label("Choose a password").fill(NEW_PASSWORD)
    phone.get_by_label("Type the password again").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Create my account and sign in").click()
    expect(phone.get_by_role("heading", name="Hello, Nia Newton")).to_be_visible()

    # PHQ-9, one question per page, with a positive item 9.
    phone.get_by_role("button", name="Start the PHQ-9").click()
    phone.get_by_role("button", name="Start the PHQ-9").click()
    for number, value in enumerate(ANSWERS, start=1):
        expect(phone.get_by_text(f"Question {number} of 10", exact=False).first).to_be_visible()
        group = phone.locator("main").get_by_role("group")
        expect(group).to_have_count(1)
        expect(phone.get_by_role("heading", name="If you need help now")).to_have_count(0)
        group.get_by_role("radio", name=LABELS[value], exact=True).check()
        phone.get_by_role("button", name="Save and continue").click()
    crisis = phone.get_by_role("alert").filter(has_text="If you need help now")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("emergency")
    phone.get_by_role("radio", name="Somewhat difficult").check()
    phone.get_by_role("button", name="Save and check my answers").click()
    expect(phone.get_by_role("heading", name="Check your PHQ-9 answers")).to_be_visible()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you: your answers are sent")).to_be_visible()
    expect(phone.get_by_role("heading", name="If you need help now")).to_be_visible()

    # The therapist sees the score and the alert.
    page.goto(f"{live_server.url}/courses/{course.pk}/")
    expect(page.get_by_text("1 open alert").first).to_be_visible()
    expect(page.locator(".latest-table")).to_contain_text("11")
    page.goto(f"{live_server.url}/alerts/")
    expect(page.get_by_role("link", name="Nia Newton").first).to_be_visible()
    expect(page.get_by_text("Open alert").first).to_be_visible()

    # The client ticks a task off and logs today's mood.
    phone.get_by_role("link", name="Back to my home page").click()
    phone.get_by_role("link", name=re.compile("2 tasks to do")).click()
    phone.get_by_role("button", name=re.compile(r"^Mark as done\s*: Call my sister")).click()
    expect(phone.get_by_text("Marked as done: Call my sister")).to_be_visible()
    expect(
        phone.get_by_role("button", name=re.compile(r"^Mark as not done\s*: Call my sister"))
    ).to_be_visible()
    phone.get_by_role("link", name="Log today's mood and contacts").click()
    phone.get_by_role("radio", name="7", exact=True).check()
    phone.get_by_label("How many people did you talk to").fill("3")
    phone.get_by_role("button", name="Save today's log").click()
    expect(phone.get_by_text("Today's log is saved.")).to_be_visible()
    expect(phone.get_by_role("table")).to_contain_text("7")

    from openipt.portal.models import ClientTask, MoodEntry

    tasks = {task.text: task for task in ClientTask.objects.all()}  # text is encrypted
    assert tasks["Call my sister"].is_done
    assert MoodEntry.objects.get(course=course).mood == 7

    # Another client reaches none of it.
    from openipt.assessments.models import Administration

    admin = Administration.objects.get(course=course)
    other = browser.new_context().new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("Username").fill("cli")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign In").click()
    expect(other.get_by_role("heading", name="Hello, Carla Client")).to_be_visible()
    for path in (f"/portal/questionnaires/sent/{admin.pk}/", f"/courses/{course.pk}/",
                 f"/clients/{client.pk}/", "/portal/questionnaires/phq9/1/"):  # fmt: skip
        response = other.goto(live_server.url + path)
        assert response is not None and response.status in (403, 404), path
    other.goto(f"{live_server.url}/portal/plan/")
    expect(other.get_by_text("Call my sister")).to_have_count(0)
    other.goto(f"{live_server.url}/portal/log/")
    expect(other.get_by_role("table")).to_have_count(0)


def test_it_refuses_a_reused_invitation_with_a_clear_page(cast, nia, page, live_server, shoot):
    from openipt.portal import links

    client, _ = nia
    issued = links.invite_client(cast.therapist, client)
    links.redeem_invitation(
        issued.secret, username="nia", password1=NEW_PASSWORD, password2=NEW_PASSWORD
    )
    response = page.goto(f"{live_server.url}/portal/join/{issued.secret}/")
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    expect(page.get_by_text("It has already been used")).to_be_visible()
    shoot("portal-link-refused")


def test_it_signs_a_client_in_with_an_emailed_link(cast, page, live_server, settings):
    from django.core import mail

    settings.OPENIPT_BASE_URL = live_server.url
    cast.client.email = "carla@example.org"
    cast.client.save()
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Your e-mail address").fill("carla@example.org")
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    url = next(w for w in mail.outbox[-1].body.split() if "/portal/sign-in/" in w)
    page.goto(url)
    page.get_by_role("button", name="Sign me in").click()
    expect(page.get_by_role("heading", name="Hello, Carla Client")).to_be_visible()
    _sign_out(page)
    response = page.goto(url)
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", name="This sign-in link cannot be used")).to_be_visible()
