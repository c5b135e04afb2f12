"""The privacy pages in Debian chromium: consents, notes, disclosure, export and erasure."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reauthenticate_if_asked(page) -> None:
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()


def test_it_records_consent_and_notes(cast, course, session_row, sign_in, live_server, shoot):
    page = sign_in("ther")
    page.goto(f"{live_server.url}/privacy/clients/{cast.client.pk}/")
    expect(page.get_by_role("heading", name="Privacy and records")).to_be_visible()
    shoot("privacy-overview")
    page.get_by_role("button", name="Record a consent").click()
    page.get_by_label("Date agreed").fill("")
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    shoot("privacy-consent-form-errors")
    page.get_by_label("What was agreed").select_option("data_processing")
    page.get_by_label("Date agreed").fill(today().isoformat())
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_role("cell", name="Processing of their data", exact=True)).to_be_visible()
    shoot("privacy-consents")

    page.goto(f"{live_server.url}/privacy/courses/{course.pk}/notes/")
    page.get_by_label("Private note").fill("Noticed I wanted to rescue her.\nBring to supervision.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Noticed I wanted to rescue her.")).to_be_visible()
    shoot("privacy-notes")

    page.goto(f"{live_server.url}/privacy/clients/{cast.client.pk}/disclosures/new/")
    page.get_by_role("checkbox").first.check()
    page.get_by_label("Disclosed to").fill("Dr Jones, consultant psychiatrist")
    page.get_by_label("Purpose").fill("Second opinion on diagnosis")
    page.get_by_label("Authorised by").fill("Carla Client")
    page.get_by_label("Date of the authorisation").fill(today().isoformat())
    shoot("privacy-disclosure-form")
    page.get_by_role("button", name="Record disclosure").click()
    expect(
        page.get_by_role("cell", name="Dr Jones, consultant psychiatrist", exact=True)
    ).to_be_visible()
    shoot("privacy-disclosures")


def test_it_exports_and_erases_after_reauthentication(
    cast, course, note, sign_in, live_server, shoot
):
    page = sign_in("ther")
    page.goto(f"{live_server.url}/privacy/clients/{cast.client.pk}/")
    page.get_by_role("link", name="Export this client's record").click()
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=.*export"))
    _reauthenticate_if_asked(page)
    expect(page.get_by_role("heading", name="Export this client's record")).to_be_visible()
    shoot("privacy-export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export").click()
    assert download.value.suggested_filename.startswith("R-1-")

    page.goto(f"{live_server.url}/privacy/clients/{cast.client.pk}/erase/")
    _reauthenticate_if_asked(page)
    page.get_by_label("Type the client's record number to confirm").fill("R-2")
    page.get_by_role("button", name="Erase the record").click()
    expect(page.get_by_role("alert")).to_contain_text("not the client's record number")
    shoot("privacy-erase-errors")
    page.get_by_label("Type the client's record number to confirm").fill("R-1")
    page.get_by_role("button", name="Erase the record").click()
    expect(page.get_by_role("heading", name="This record is erased")).to_be_visible()
    shoot("privacy-erased")
    page.get_by_role("button", name="Restore this record").click()
    expect(page.get_by_role("heading", name="Consents in force")).to_be_visible()


def test_it_works_by_keyboard_on_the_notes_page(cast, course, sign_in, live_server):
    page = sign_in("ther")
    page.goto(f"{live_server.url}/privacy/courses/{course.pk}/notes/")
    page.get_by_label("Private note").focus()
    page.keyboard.type("Typed by keyboard")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save note")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Typed by keyboard")).to_be_visible()
