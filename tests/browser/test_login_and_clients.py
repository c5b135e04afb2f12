from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_therapist_sign_in_and_see_their_clients(cast, sign_in, live_server, shoot):
    page = sign_in("ther")
    page.goto(f"{live_server.url}/clients/")
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    expect(page.get_by_role("link", name="Carla Client")).to_be_visible()
    expect(page.get_by_text("Oscar Outside")).to_have_count(0)
    expect(page.get_by_text("You are in demo mode")).to_be_visible()
    shoot("clients-list")


def test_it_adds_a_client_and_shows_form_errors(cast, sign_in, live_server, shoot):
    page = sign_in("ther")
    page.goto(f"{live_server.url}/clients/")
    page.get_by_role("button", name="Add a client").click()
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    shoot("client-form-errors")
    page.get_by_label("Name").fill("Browser Person")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name="Browser Person")).to_be_visible()
    shoot("client-detail")


def test_it_refuses_the_client_list_to_a_client(cast, sign_in, live_server):
    page = sign_in("cli")
    response = page.goto(f"{live_server.url}/clients/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()


def test_it_shows_the_login_page(page, live_server, shoot):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    shoot("login")
