"""A WHO 8-session group of 8 members, from screening to the end, through the pages.

The scenario and its hand-computed outcomes are in tests/groups/scenario.py: one person
excluded at screening for a current plan, one member leaving at session 4, a risk answer
at session 5 raising an alert to the group's supervisor, and the end-of-group outcomes over
all three denominators.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from openipt.groups.models import ProgrammeCost
from tests.browser.test_accessibility import axe_problems
from tests.factories import make_group_staff, phq9_answers, today
from tests.groups import scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def day(n: int) -> str:
    return (today() - datetime.timedelta(days=n)).isoformat()


def sign_out(page, live_server) -> None:
    page.context.clear_cookies()


def form_group(page, live_server) -> str:
    page.goto(f"{live_server.url}/groups/new/")
    page.get_by_label("Programme").select_option("who_8")
    page.get_by_label("Group name").fill("Wednesday women's group")
    page.get_by_label("Site (village, school, clinic)").fill("Kebele 3")
    page.get_by_label("Supervisor", exact=True).select_option(label="Group Supervisor")
    page.get_by_label("Facilitator Fay").check()
    page.get_by_label("Facilitator Finn").check()
    page.get_by_label("Composition").select_option("single_sex")
    page.get_by_label("Planned size").fill("8")
    page.get_by_role("button", name="Form the group").click()
    expect(page.get_by_role("heading", name="Wednesday women's group")).to_be_visible()
    return page.url


def screen(page, live_server, name: str, answers: dict[str, int], exclusion: str = "") -> None:
    page.goto(f"{live_server.url}/groups/screening/")
    page.get_by_label("Programme").select_option("who_8")
    page.get_by_label("Name", exact=True).fill(name)
    page.locator("input[name=sex][value=female]").check()
    page.get_by_label("Screened on").fill(day(80))
    if exclusion:
        page.get_by_label(exclusion).check()
    for item, value in answers.items():
        page.locator(f"input[name=item_{item}][value='{value}']").check()
    page.get_by_role("button", name="Record the screening").click()


def enrol(page, group_url: str, name: str) -> None:
    page.goto(group_url + "enrol/")
    screened = today() - datetime.timedelta(days=80)
    page.get_by_label("Person", exact=True).select_option(
        label=f"{name} (PHQ-9 {scenario.BASELINES[name]}, screened {screened:%d %b %Y})"
    )
    page.get_by_label("Pre-group session held on").fill(day(70))
    page.get_by_label("Disputes").check()
    page.get_by_label("Go through the symptoms, guided by the PHQ-9 items").check()
    page.get_by_label(
        "Explore links between the onset of symptoms and interpersonal problems"
    ).check()
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text(f"{name} joined Wednesday women's group.")).to_be_visible()


def run_session(page, group_url: str, number: int, members: dict[str, int], shoot) -> None:
    page.goto(group_url + "sessions/new/")
    expect(page.get_by_role("heading", name=f"Session {number} of 8")).to_be_visible()
    page.get_by_label("Date", exact=True).fill(day(64 - 7 * number))
    for name, pk in members.items():
        status = scenario.status(name, number)
        page.locator(f"input[name=m{pk}-status][value={status}]").check()
        if status == "present":
            page.locator(f"input[name=m{pk}-check_in]").fill("5")
        answers = None
        if number == 8 and name in scenario.ENDS:
            answers = phq9_answers(total=scenario.ENDS[name])
        if number == scenario.RISK_SESSION and name == scenario.RISK_MEMBER:
            answers = phq9_answers(total=scenario.RISK_TOTAL, item9=2)
        if answers:
            details = page.locator(f"#m{pk} details.g-phq")
            if details.get_attribute("open") is None:
                details.locator("summary").click()
            for item, value in answers.items():
                page.locator(f"select[name=m{pk}-item_{item}]").select_option(str(value))
    if number in (5, 8):
        shoot(f"group-session-{number}")
        assert not axe_problems(page)
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_text(f"Session {number} saved.")).to_be_visible()
    for box in page.locator("input[name=tasks_done]").all():
        box.check()  # the adherence checklist: every task of the session done
    page.get_by_role("button", name="Save the checklist").click()
    expect(page.get_by_text("Checklist saved.")).to_be_visible()


def test_it_runs_a_who_group_from_screening_to_the_outcomes(cast, sign_in, live_server, shoot):
    boss, fay, _ = make_group_staff()
    ProgrammeCost.objects.create(
        programme="who_8", hourly_cost=Decimal("5.00"), other_cost_per_group=Decimal("40.00")
    )
    page = sign_in("ther")
    group_url = form_group(page, live_server)
    screen(page, live_server, scenario.EXCLUDED, phq9_answers(total=18, item9=2),
           exclusion="A current suicide plan")  # fmt: skip
    expect(page.get_by_text("P0: Referred to individual care.")).to_be_visible()
    for name, total in scenario.BASELINES.items():
        screen(page, live_server, name, phq9_answers(total=total))
        expect(page.get_by_text(f"{name}: Eligible for a group.")).to_be_visible()
    shoot("group-screening")
    assert not axe_problems(page)
    page.goto(group_url + "enrol/")
    options = page.get_by_label("Person", exact=True).locator("option").all_inner_texts()
    assert not any(o.startswith("P0 ") for o in options)  # never offered to the group
    for name in scenario.BASELINES:
        enrol(page, group_url, name)
    page.goto(group_url)
    shoot("group-detail")
    assert not axe_problems(page)
    members = {
        name: int(
            page.get_by_role("link", name=name, exact=True).get_attribute("href").split("/")[-2]
        )
        for name in scenario.BASELINES
    }

    sign_out(page, live_server)
    page = sign_in(fay.username)
    expect(page.get_by_role("heading", name="Groups")).to_be_visible()
    for number in range(1, 9):
        if number == scenario.LEAVES_BEFORE:
            leaver = members.pop(scenario.LEAVER)
            page.goto(f"{live_server.url}/groups/members/{leaver}/")
            page.get_by_label("Left on").fill(day(64 - 7 * number))
            page.get_by_label("Chose to leave").check()
            page.get_by_role("button", name="Record that they left").click()
            expect(page.get_by_text("Recorded that the member left the group.")).to_be_visible()
        run_session(page, group_url, number, members, shoot)
        if number == scenario.RISK_SESSION:
            page.goto(f"{live_server.url}/groups/members/{members[scenario.RISK_MEMBER]}/")
            expect(
                page.get_by_text("The clinician and the supervisor have been alerted.")
            ).to_be_visible()
            page.get_by_label("Individual care", exact=True).check()
            page.get_by_label("Note").fill("Seen by the clinician the same day.")
            page.get_by_role("button", name="Record the next step").click()
            expect(page.get_by_text("Next step recorded.")).to_be_visible()
            assert not axe_problems(page)
            assert page.goto(f"{live_server.url}/courses/").status == 403  # no course records

    sign_out(page, live_server)
    page = sign_in(boss.username)
    page.goto(f"{live_server.url}/alerts/")
    row = page.get_by_role("row", name=scenario.RISK_MEMBER)
    expect(row.get_by_text("Open alert")).to_be_visible()
    expect(row).to_contain_text("PHQ-9 item 9 answered")
    shoot("group-supervisor-alerts")
    page.goto(f"{live_server.url}/groups/review/")
    expect(page.get_by_role("link", name="Wednesday women's group: session 8")).to_be_visible()

    sign_out(page, live_server)
    page = sign_in("ther")
    page.goto(group_url)
    page.get_by_role("button", name="End the group").click()
    expect(page.get_by_text("Wednesday women's group has ended.")).to_be_visible()
    page.goto(group_url + "outcomes/")
    expected = scenario.EXPECTED
    expect(
        page.get_by_text(f"Retention (completed of enrolled): {expected['retention']}", exact=False)
    ).to_be_visible()
    for name, (n, measured, mean, recovery, remission) in expected["rows"].items():
        row = page.locator(f"tr[data-denominator={name}]")
        expect(row.locator("td").nth(0)).to_have_text(str(n))
        expect(row.locator("td").nth(1)).to_have_text(str(measured))
        expect(row.locator("td").nth(2)).to_have_text(mean)
        expect(row.locator(".rate-recovery")).to_have_text(
            f"{recovery[2]} ({recovery[0]}/{recovery[1]})"
        )
        expect(row.locator(".rate-remission")).to_have_text(
            f"{remission[2]} ({remission[0]}/{remission[1]})"
        )
    expect(page.get_by_text("83.1 %")).to_be_visible()
    expect(page.get_by_text("22.86 USD")).to_be_visible()
    shoot("group-outcomes")
    assert not axe_problems(page)
