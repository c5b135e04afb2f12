"""In a real browser: the strict CSP blocks nothing the pages need, and the audit pages
look right at desktop and 360 px widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_csp(page) -> list[str]:
    """Collect the browser's reports of anything the Content-Security-Policy blocked."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: (
            blocked.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    return blocked


def test_it_blocks_nothing_on_the_clinical_pages(world, sign_in, live_server, shoot):
    page = sign_in("ther")
    blocked = _watch_csp(page)
    course = world.get("courses.course")
    paths = [
        "/clients/",
        f"/clients/{world.client.pk}/",
        f"/clients/{world.client.pk}/edit/",
        "/courses/",
        f"/courses/{course.pk}/",
        f"/courses/{course.pk}/inventory/",
        f"/courses/{course.pk}/circle/",
        f"/courses/{course.pk}/timeline/",
        f"/courses/{course.pk}/measures/",
        "/accounts/2fa/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert not blocked, "\n".join(blocked)


def test_it_loads_htmx_under_the_policy(cast, sign_in, live_server):
    page = sign_in("ther")
    blocked = _watch_csp(page)
    page.goto(f"{live_server.url}/clients/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    assert not blocked, "\n".join(blocked)


def test_it_renders_the_api_docs_under_their_own_policy(db, page, live_server):
    blocked = _watch_csp(page)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("OpenIPT API").first).to_be_visible()
    assert not [b for b in blocked if "script" in b.lower()], "\n".join(blocked)


def test_it_shows_the_audit_trail_to_an_admin(world, sign_in, live_server, shoot):
    from openipt.audit import services

    for _ in range(3):
        services.record_access(world.owner, "view", "client", {"client_id": world.client.pk})
    services.record_access(None, "cli", "audit_trail", {}, actor_label="cli:ops")
    page = sign_in("adm")
    blocked = _watch_csp(page)
    page.goto(f"{live_server.url}/audit/")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_role("cell", name="ther").first).to_be_visible()
    shoot("audit-trail")
    page.get_by_label("Action").select_option("cli")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("cell", name="cli:ops")).to_be_visible()
    page.goto(f"{live_server.url}/audit/?date_from=2026-05-02&date_to=2026-05-01")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    shoot("audit-trail-error")
    page.goto(f"{live_server.url}/audit/changes/")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    shoot("audit-changes")
    assert not blocked, "\n".join(blocked)


def test_it_sends_staff_without_mfa_to_enrolment_in_the_browser(
    cast, sign_in, live_server, shoot, settings
):
    settings.OPENIPT_REQUIRE_MFA = True
    page = sign_in("ther")
    expect(page).to_have_url(
        f"{live_server.url}/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    shoot("mfa-required")
