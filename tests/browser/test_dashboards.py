"""The supervisor's dashboards in a real browser: layout, axe, CSP, downloads, screenshots."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import axe_problems
from tests.factories import (
    make_alert,
    make_client,
    make_course_row,
    make_finished_row,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    "Amira Haddad", "Ben Okafor", "Chloe Martin", "Dev Patel", "Elena Rossi", "Femi Adeyemi",
    "Grace Liu", "Hugo Silva", "Isla Murray", "Jonas Berg", "Kemi Bello", "Leo Novak",
]  # fmt: skip


@pytest.fixture
def team_service(cast):
    """A supervisor's two therapists with a year of courses of every kind."""
    today, rng = timezone.localdate(), random.Random(8)
    colleague = make_user(
        username="col", role="therapist", supervisor="sup", display_name="Colleague Cai"
    )
    therapists = [cast.therapist, colleague]
    day = datetime.timedelta(days=1)
    for index, name in enumerate(NAMES[:6]):
        therapist = therapists[index % 2]
        client = make_client(therapist=therapist, name=name)
        course = make_course_row(
            therapist=therapist, client=client, planned_sessions=12, sessions_attended=4 + index,
            not_on_track=index % 2 == 0, measure_due=index % 3 == 0, frequency="weekly",
            last_session_on=today - (5 + 4 * index) * day, phq9_first=18, phq9_last=16,
            latest_score_at=timezone.now() - index * 3 * day,
        )  # fmt: skip
        if index < 3:
            make_alert(course=course, raised_at=timezone.now() - (index * 4 + 1) * day)
    over = make_client(therapist=cast.therapist, name=NAMES[6])
    make_course_row(therapist=cast.therapist, client=over, planned_sessions=8, sessions_attended=10)
    closed = make_client(therapist=colleague, name=NAMES[7])
    make_course_row(therapist=colleague, client=closed, status="ended",
                    ended_on=today - 12 * day, sessions_attended=12)  # fmt: skip
    for n in range(160):  # a year of endings, enough per month to show rates
        ended = today - rng.randint(0, 330) * day
        case = rng.random() < 0.9
        better = rng.random() < 0.55
        make_finished_row(
            therapist=therapists[n % 2], ended_on=ended,
            format=rng.choice(["standard", "brief", "ipc"]),
            primary_area=rng.choice(["grief", "role_dispute", "role_transition", ""]),
            caseness=case, recovered=better if case else None, reliably_improved=better or
            rng.random() < 0.2, reliably_recovered=better, reliably_deteriorated=rng.random()
            < 0.06, responded=better, remitted=better and rng.random() < 0.6,
        )  # fmt: skip
    return cast


def check(page: Page, csp: list[str]) -> None:
    problems = axe_problems(page)
    page.set_viewport_size({"width": 360, "height": 740})
    problems += [f"at 360 px: {p}" for p in axe_problems(page)]
    page.set_viewport_size({"width": 1280, "height": 800})
    assert problems == []
    assert csp == []


def watch_csp(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def test_it_shows_the_supervision_dashboard(team_service, sign_in, live_server, shoot):
    page = sign_in("sup")
    csp = watch_csp(page)
    expect(page.get_by_role("heading", name="Supervision", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Open risk alerts")).to_be_visible()
    alerts = page.locator("#alerts tbody tr")
    expect(alerts).to_have_count(3)
    expect(alerts.first).to_contain_text("Risk")
    expect(page.get_by_role("link", name="Hugo Silva")).to_be_visible()
    check(page, csp)
    shoot("insights-dashboard")
    page.get_by_role("button", name="Review open alerts").click()
    expect(page.get_by_role("heading", name="Open risk alerts")).to_be_visible()
    shoot("insights-alerts-list")
    page.get_by_role("link", name="Amira Haddad").click()
    expect(page).to_have_url(f"{live_server.url}/courses/{_course_of('Amira Haddad')}/")


def _course_of(name: str) -> int:
    from openipt.courses.models import Course

    return Course.objects.get(client__name=name).pk


def test_it_shows_service_outcomes_with_charts_and_exports(
    team_service, sign_in, live_server, shoot
):
    page = sign_in("sup")
    csp = watch_csp(page)
    page.get_by_role("link", name="Service outcomes").first.click()
    expect(page.get_by_role("heading", name="Service outcomes")).to_be_visible()
    expect(page.locator("figure.chart svg[role=img]")).to_have_count(2)
    check(page, csp)
    shoot("insights-outcomes")
    page.get_by_label("Group by").select_option("format")
    page.get_by_role("button", name="Show outcomes").click()
    expect(page.get_by_role("row", name="Brief IPT (IPT-B)").first).to_be_visible()
    check(page, csp)
    shoot("insights-outcomes-format")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.get_by_label("From").fill("2026-05-01")
    page.get_by_label("To").fill("2026-01-01")
    page.get_by_role("button", name="Show outcomes").click()
    expect(page.get_by_role("alert")).to_contain_text("must not be before its start")
