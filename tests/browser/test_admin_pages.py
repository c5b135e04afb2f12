from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openipt.accounts.models import ApiToken
from tests.browser.test_accessibility import axe_problems
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_an_admin_manage_users_at_desktop_and_phone_width(
    cast, sign_in, live_server, shoot
):
    ApiToken.issue(cast.therapist, name="reporting script")
    page = sign_in("adm")
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    expect(page.get_by_role("link", name="Therapist Tom")).to_be_visible()
    expect(page.get_by_text("Client Carla")).to_have_count(0)
    assert axe_problems(page) == []
    shoot("admin-users")
    page.get_by_role("button", name="Add a user").click()
    page.get_by_role("button", name="Add user and send the link").click()
    if "/accounts/reauthenticate/" in page.url:  # saving asks for the password again
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert axe_problems(page) == []
    shoot("admin-user-form-errors")
    page.goto(f"{live_server.url}/manage/users/{cast.admin.pk}/")
    expect(page.get_by_text("another admin changes your role")).to_be_visible()
    expect(page.get_by_label("Role")).to_be_disabled()
    shoot("admin-user-self")
    page.goto(f"{live_server.url}/manage/tokens/")
    expect(page.get_by_role("cell", name="reporting script", exact=True)).to_be_visible()
    assert axe_problems(page) == []
    shoot("admin-tokens")
    page.goto(f"{live_server.url}/manage/teams/")
    shoot("admin-teams")
    page.goto(f"{live_server.url}/account/tokens/")
    expect(page.get_by_role("heading", name="Your API tokens")).to_be_visible()
    shoot("own-tokens")
