"""A risk answer to a safety plan: the therapist makes it from the alert, the client reads it
on a phone, and the printed PDF is the same plan."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_alert, make_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = {
    "Warning signs": "Lying awake going over the argument",
    "Things I can do on my own": "Shower, then a walk to the river",
    "People and places that take my mind off things": "Cousin Jo; the library",
    "People I can ask for help": "Sister Ana 07700 900123",
    "Professionals and crisis lines": "My therapist on weekdays; the out-of-hours line",
    "Making my surroundings safe": "Tablets kept by Ana",
    "My reasons for living": "My daughter",
}


def test_it_makes_a_safety_plan_from_an_alert_and_shows_it_on_the_clients_phone(
    cast, page, browser, sign_in, live_server, shoot
):
    alert = make_alert(course=make_course(client=cast.client), raised_at=timezone.now())
    sign_in("ther")
    page.goto(f"{live_server.url}{alert.get_absolute_url()}")
    page.get_by_role("link", name="Make or review the client's safety plan").click()
    expect(page.get_by_role("heading", name="Safety plan")).to_be_visible()
    for label, text in SECTIONS.items():
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="Save the safety plan").click()
    expect(page.get_by_text("Safety plan saved as version 1.")).to_be_visible()
    expect(page.get_by_text("Sister Ana 07700 900123")).to_be_visible()
    shoot("safety-plan")
    pdf = page.request.get(f"{live_server.url}/clients/{cast.client.pk}/safety-plan.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    phone = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("Username").fill("cli")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.get_by_role("link", name="My safety plan: what to do if things get very hard").click()
    expect(phone.get_by_role("heading", name="Step 4: People I can ask for help")).to_be_visible()
    expect(phone.get_by_text("Sister Ana 07700 900123")).to_be_visible()
    expect(phone.get_by_role("heading", name="If you need help now")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the plan scrolls sideways on a phone ({width} px)"
    phone.screenshot(path="var/screenshots/portal-safety-plan-phone.png", full_page=True)
