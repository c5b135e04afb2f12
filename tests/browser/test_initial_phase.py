"""A therapist can do the whole initial phase for one client in the browser in a few minutes.

Inventory (four people), timeline (onset and two events), circle (saved at intake),
formulation (a suggestion chosen as the focus, the draft edited and recorded as shared).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "assets" / "axe" / "axe.min.js"
SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def course_options() -> dict[str, Any]:
    """The client's course: 16 sessions, opened by the therapist a week ago."""
    started = today() - dt.timedelta(days=7)
    return {"via": "service", "planned_sessions": 16, "started_on": started}


def check_accessibility(page: Page) -> None:
    """Fail on serious or critical axe-core violations of the page."""
    page.evaluate(AXE.read_text() + "\n;undefined")  # not a script tag: the CSP forbids inline
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad


def check_phone_width(page: Page) -> None:
    """Fail when the page scrolls sideways at 360 px (tables may scroll inside their box)."""
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert width <= 360, f"{page.url} is {width} px wide at 360 px"


def add_person(page: Page, label: str, ring: str, relationship: str, **more: str) -> None:
    page.get_by_label("Name or role").fill(label)
    page.get_by_label("Closeness ring").select_option(ring)
    page.get_by_label("Relationship").fill(relationship)
    for name, value in more.items():
        field = page.get_by_label(re.compile("^" + re.escape(name)))
        if not field.is_visible():
            page.get_by_text("More about this person (optional)").click()
        field.select_option(value)
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("status")).to_contain_text(f"{label} added to ring {ring}.")


def test_it_takes_a_therapist_through_the_initial_phase(cast, course, sign_in, live_server, shoot):
    page = sign_in("ther")
    page.goto(f"{live_server.url}/courses/{course.pk}/inventory/")
    expect(page.get_by_role("heading", name="Interpersonal inventory")).to_be_visible()

    page.evaluate("() => { window.stillHere = true; }")  # lost if the page reloads
    add_person(page, "Mum", "1", "mother", Status="deceased", **{"Support given": "confiding"})
    assert page.evaluate("() => window.stillHere === true"), "htmx did not swap the section"
    expect(page.get_by_label("Name or role")).to_be_focused()
    add_person(
        page, "Ben", "1", "partner", Conflict="overt",
        **{"Do the expectations match?": "no", "Support given": "practical"},
    )  # fmt: skip
    add_person(page, "Aisha", "2", "friend", **{"Support given": "confiding"})
    add_person(page, "Manager", "4", "manager")
    expect(page.get_by_role("heading", name="4 people")).to_be_visible()
    page.get_by_role("link", name="Edit Manager").click()
    expect(page.get_by_role("heading", name="Edit Manager")).to_be_visible()
    page.get_by_label("Closeness ring").select_option("3")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Changes to Manager saved.")
    expect(page.get_by_role("row", name="Manager")).to_contain_text("3")
    check_accessibility(page)
    check_phone_width(page)
    shoot("initial-inventory")

    page.get_by_role("link", name="Timeline", exact=True).click()
    page.get_by_role("textbox", name="Symptom onset").fill("2024-10-01")
    page.get_by_role("button", name="Save onset").click()
    expect(page.get_by_text("Symptom onset saved.")).to_be_visible()
    for date, kind, person, what in (
        ("2024-08-20", "death", "Mum", "Mum died after a short illness"),
        ("2024-09-10", "conflict", "Ben", "Row about sharing the care"),
    ):
        page.get_by_label("Date", exact=True).fill(date)
        page.get_by_label("Kind of event").select_option(kind)
        page.get_by_label("Person involved").select_option(label=person)
        page.get_by_label("What happened").fill(what)
        page.get_by_role("button", name="Add event").click()
        expect(page.get_by_text("added to the timeline.")).to_be_visible()
    expect(page.get_by_role("cell", name="42 days before onset")).to_be_visible()
    expect(page.locator("figure.chart svg[role=img]")).to_have_count(1)
    check_accessibility(page)
    check_phone_width(page)
    shoot("initial-timeline")

    page.get_by_role("link", name="Closeness circle", exact=True).click()
    expect(page.locator("figure.chart svg[role=img]")).to_have_count(1)
    expect(page.get_by_role("table").first).to_contain_text("Aisha")
    page.get_by_role("button", name="Save as the intake circle").click()
    expect(page.get_by_text("Intake circle saved.")).to_be_visible()
    check_accessibility(page)
    check_phone_width(page)
    shoot("initial-circle")

    page.get_by_role("link", name="Formulation", exact=True).click()
    grief = page.locator("article.ip-suggestion").first
    expect(grief).to_contain_text("Grief")
    expect(grief).to_contain_text("may fit")
    expect(grief).to_contain_text("[S1]")
    expect(page.get_by_text("not a diagnosis")).to_be_visible()
    grief.get_by_role("button", name="Choose Grief as the focus").click()
    expect(page.get_by_text("Focus set: Grief.")).to_be_visible()
    text = page.get_by_role("textbox", name=re.compile("^Formulation"))
    expect(text).to_have_value(re.compile(r"^Draft formulation for Carla\.[\s\S]*death of Mum"))
    text.fill(text.input_value() + "\n\nWe will look at how Mum's death changed things.")
    day = today()
    page.get_by_label(re.compile("^Shared with the client on")).fill(day.isoformat())
    page.get_by_label(re.compile("^The client's response")).fill("Said it fits.")
    page.get_by_role("button", name="Save formulation").click()
    expect(page.get_by_text("Formulation saved.")).to_be_visible()
    shared = f"Shared with the client on {day.day} {day:%b %Y}."
    expect(page.get_by_text(shared)).to_be_visible()
    check_accessibility(page)
    check_phone_width(page)
    shoot("initial-formulation")

    from openipt.courses.models import Focus
    from openipt.interpersonal.models import Formulation

    assert Focus.objects.get(course=course, replaced_at__isnull=True).area == "grief"
    saved = Formulation.objects.get(course=course)
    assert saved.shared_on == day and saved.text.endswith("changed things.")


def test_it_shows_the_error_summary_for_a_bad_person(cast, course, sign_in, live_server, shoot):
    page = sign_in("ther")
    page.goto(f"{live_server.url}/courses/{course.pk}/inventory/")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_role("link", name="Name or role: This field is required.")).to_be_visible()
    shoot("initial-inventory-errors")


def test_it_shows_the_circles_on_the_course_page_and_in_the_letter(
    cast, course, sign_in, live_server, shoot
):
    from openipt.interpersonal import services

    actor = cast.therapist
    mum = services.add_person(actor, course, label="Mum", ring=1, status="deceased")
    ben = services.add_person(actor, course, label="Ben", ring=2, conflict="overt")
    services.add_person(actor, course, label="Aisha", ring=3, support="confiding")
    services.add_event(actor, course, date=dt.date(2024, 8, 20), kind="death", person_id=mum.pk)
    services.set_symptom_onset(actor, course, dt.date(2024, 10, 1))
    services.take_snapshot(actor, course, "intake")
    services.update_person(actor, ben, ring=1, conflict="covert")
    services.take_snapshot(actor, course, "termination")

    page = sign_in("ther")
    page.goto(f"{live_server.url}/courses/{course.pk}/")
    panel = page.locator("section.ip-panel")
    expect(panel).to_contain_text("3 people in the inventory")
    panel.get_by_text("Closeness circle and timeline").click()
    expect(panel.locator("svg[role=img]")).to_have_count(2)
    shoot("initial-course-panel")

    # The circles name the people in the client's life: a letter shows them only when chosen.
    page.goto(f"{live_server.url}/courses/{course.pk}/letter/")
    expect(page.locator("section.ip-letter")).to_have_count(0)
    from openipt.courses.letter_drafts import save_draft
    from openipt.courses.models_letter import DEFAULT_SECTIONS

    save_draft(actor, course, sections=[*DEFAULT_SECTIONS, "relationships"])
    page.goto(f"{live_server.url}/courses/{course.pk}/letter/")
    letter = page.locator("section.ip-letter")
    expect(letter.locator("svg[role=img]")).to_have_count(2)
    expect(letter.get_by_role("table").first).to_contain_text("Closer")
    shoot("initial-letter")
    response = page.request.get(f"{live_server.url}/courses/{course.pk}/letter.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Interpersonal circle" in text
    (SCREENSHOTS_DIR / "initial-letter.pdf").write_bytes(response.body())
