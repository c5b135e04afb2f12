"""A 16-session standard IPT course in the browser, from opening to a maintenance contract.

Sessions 1-4, 13, 14 and 16 (every phase change) and the termination review go through the
pages; sessions 5-12 and 15 are recorded through the service to keep the test short.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "assets" / "axe" / "axe.min.js"
START = today() - timedelta(weeks=20)
EXPECTED_PHASES = ["initial"] * 3 + ["middle"] * 10 + ["termination"] * 3


def day(number: int) -> str:
    """Return the ISO date of weekly session `number`."""
    return (START + timedelta(weeks=number - 1)).isoformat()


def serious_axe_problems(page: Page) -> list[str]:
    """Return axe-core's serious and critical findings (injected by evaluate: CSP)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check(page: Page, shoot, name: str, csp: list[str]) -> None:
    """Photograph the page at desktop and 360 px and fail on axe or CSP problems."""
    assert serious_axe_problems(page) == [], name
    shoot(f"course-{name}")
    assert csp == [], csp


def record_session(page: Page, base: str, course_id: int, number: int, phase: str, **ticks):
    page.goto(f"{base}/courses/{course_id}/sessions/new/")
    heading = f"Session {number} of 16 · {phase} phase"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.locator("#id_date").fill(day(number))
    for label in ticks.get("boxes", []):
        page.get_by_role("checkbox", name=label).check()
    page.get_by_label("Progress note").fill(f"Session {number} progress note.")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status")).to_contain_text(f"Session {number} recorded.")


def service_sessions(course_id: int, numbers) -> None:
    from openipt.accounts.models import User
    from openipt.courses import services
    from openipt.courses.models import Course

    course = Course.objects.get(pk=course_id)
    actor = User.objects.get(username="ther")
    for number in numbers:
        services.record_session(actor, course, date.fromisoformat(day(number)), "attended")


def open_course(page: Page, base: str, cast) -> int:
    page.goto(f"{base}/clients/{cast.client.pk}/")
    page.get_by_role("button", name="Start a course").click()
    page.locator("input[name=format][value=standard]").check()
    page.get_by_label("Planned number of sessions").fill("16")
    page.locator("#id_started_on").fill(START.isoformat())
    page.get_by_label("Referred by").fill("Dr Lee, Riverside Surgery")
    page.get_by_role("button", name="Start the course").click()
    expect(page.get_by_role("heading", name="Carla Client")).to_be_visible()
    return int(page.url.rstrip("/").split("/")[-1])


def agree_contract_focus_and_goals(page: Page, base: str, course_id: int) -> None:
    page.get_by_role("link", name="Agree the contract").click()
    page.get_by_label("Agreed on").fill(day(3))
    page.get_by_role("button", name="Agree the contract").click()
    expect(page.get_by_role("status")).to_contain_text("Contract agreed.")
    page.get_by_role("link", name="Choose the focus").click()
    page.locator("input[name=area][value=role_dispute]").check()
    page.get_by_role("button", name="Save the focus").click()
    expect(page.get_by_role("alert")).to_contain_text("Say which stage the role dispute is in")
    page.locator("input[name=dispute_stage][value=impasse]").check()
    page.get_by_role("button", name="Save the focus").click()
    expect(page.get_by_text("Role disputes").first).to_be_visible()
    page.get_by_role("link", name="Edit goals").click()
    page.locator("#id_goals-0-text").fill("Tell Sam what I need without a row")
    page.get_by_role("button", name="Save goals").click()
    expect(page.get_by_text("Tell Sam what I need without a row")).to_be_visible()


def end_with_maintenance(page: Page, base: str, course_id: int) -> None:
    page.goto(f"{base}/courses/{course_id}/termination/")
    page.get_by_label('"Why are you feeling better?" In the client\'s words').fill(
        "I said what I needed and Sam listened."
    )
    page.get_by_label("What was achieved").fill("Fewer rows; sleeping better.")
    page.locator("#id_warning_signs").fill("Going quiet for days")
    page.locator("#id_what_helps").fill("Saying it early; Sunday walks")
    page.get_by_label("Maintenance treatment was discussed").check()
    page.get_by_role("button", name="Record the decision and end the course").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose what happens next")
    page.get_by_role("radio", name="Maintenance contract").check()
    page.get_by_label("Maintenance sessions").select_option("monthly")
    page.get_by_label("For how many months").fill("24")
    page.get_by_label("Last day of this course").fill(day(16))
    page.get_by_role("button", name="Record the decision and end the course").click()
    expect(page.get_by_role("status")).to_contain_text("The course has ended. This is the")


def test_it_runs_a_16_session_course_to_a_maintenance_contract(cast, sign_in, live_server, shoot):
    from openipt.courses.models import Course

    page = sign_in("ther")
    base = live_server.url
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    page.goto(f"{base}/courses/new/{cast.client.pk}/")
    check(page, shoot, "start", csp)
    course_id = open_course(page, base, cast)

    record_session(
        page,
        base,
        course_id,
        1,
        "Initial",
        boxes=["Review symptoms and give the diagnosis", "Psychoeducation"],
    )
    record_session(page, base, course_id, 2, "Initial", boxes=["Interpersonal inventory"])
    page.goto(f"{base}/courses/{course_id}/sessions/new/")
    check(page, shoot, "session-form", csp)
    record_session(page, base, course_id, 3, "Initial")
    # The fourth session is middle-phase work: the form warns and refuses without a contract.
    page.goto(f"{base}/courses/{course_id}/sessions/new/")
    expect(page.locator(".callout-warn")).to_contain_text("No treatment contract yet")
    page.locator("#id_date").fill(day(4))
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("alert")).to_contain_text("Agree the treatment contract")
    page.goto(f"{base}/courses/{course_id}/focus/")
    check(page, shoot, "focus", csp)
    page.goto(f"{base}/courses/{course_id}/")
    agree_contract_focus_and_goals(page, base, course_id)

    # Tick an initial task on the course page through htmx.
    task = page.locator("#task-share_formulation")
    task.get_by_role("checkbox").check()
    expect(page.locator("#task-share_formulation.task-done")).to_be_visible()
    check(page, shoot, "page-initial", csp)

    record_session(
        page,
        base,
        course_id,
        4,
        "Middle",
        boxes=[
            "Communication analysis (suggested)",
            "Impasse stage: Restart the negotiation, or consider dissolution.",
        ],
    )
    service_sessions(course_id, range(5, 13))
    page.goto(f"{base}/courses/{course_id}/")
    expect(page.get_by_text("4 sessions remain: raise the ending.")).to_be_visible()
    check(page, shoot, "page-middle", csp)
    record_session(page, base, course_id, 13, "Middle")
    record_session(page, base, course_id, 14, "Termination", boxes=["Raise the ending explicitly"])
    service_sessions(course_id, [15])
    record_session(page, base, course_id, 16, "Termination")

    page.goto(f"{base}/courses/")
    check(page, shoot, "caseload", csp)
    page.goto(f"{base}/courses/{course_id}/termination/")
    check(page, shoot, "termination", csp)
    end_with_maintenance(page, base, course_id)

    expect(page.get_by_role("heading", name="Carla Client")).to_be_visible()
    expect(page.locator(".course-line")).to_contain_text("Maintenance IPT (IPT-M)")
    expect(page.locator(".course-line")).to_contain_text("Session 1 of 24")
    check(page, shoot, "page-maintenance", csp)
    acute = Course.objects.get(pk=course_id)
    assert (acute.status, acute.end_decision) == ("ended", "maintenance_contract")
    phases = list(acute.sessions.order_by("number").values_list("phase", flat=True))
    assert phases == EXPECTED_PHASES
    follow_on = acute.followed_by.get()
    assert (follow_on.format, follow_on.planned_sessions, follow_on.frequency) == (
        "maintenance",
        24,
        "monthly",
    )

    page.goto(f"{base}/courses/{course_id}/letter/")
    expect(page.get_by_role("heading", name="End-of-treatment letter")).to_be_visible()
    expect(page.get_by_text("16 of 16 planned")).to_be_visible()
    expect(page.get_by_text("Maintenance IPT, monthly, for 24 months")).to_be_visible()
    check(page, shoot, "letter", csp)
    pdf = page.request.get(f"{base}/courses/{course_id}/letter.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")


def test_it_shows_the_supervisor_the_caseload_read_only(cast, sign_in, live_server, shoot):
    from openipt.courses import services

    course = services.open_course(cast.therapist, cast.client, "brief", 9, started_on=START)
    services.record_session(cast.therapist, course, START, "attended")
    page = sign_in("sup")
    page.goto(f"{live_server.url}/courses/")
    expect(page.get_by_role("columnheader", name="Therapist")).to_be_visible()
    page.get_by_role("link", name="Carla Client").click()
    expect(page.get_by_text("You can read this course but not change it.")).to_be_visible()
    expect(page.get_by_role("link", name="Record session 2")).to_have_count(0)
    shoot("course-supervisor")
