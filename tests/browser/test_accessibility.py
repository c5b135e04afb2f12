"""axe-core on every portal page and on the therapist's caseload, client and course pages.

axe is injected with `page.evaluate` rather than a script tag: the Content-Security-Policy
forbids inline scripts (which is what `add_script_tag` creates), and a test that switched the
policy off would not notice a page that breaks it. A CSP report in the console fails the page
too. Each portal page is also photographed at desktop width and at 360 px.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, add_session, make_course, phq9_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "assets" / "axe" / "axe.min.js"
BAD = ("serious", "critical")
WORK = "Call my sister to plan a walk\nGo to the Thursday choir rehearsal"


def axe_problems(page: Page) -> list[str]:
    """Return the serious and critical axe violations of the page, one line each."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:4]}"
        for v in result["violations"]
        if v["impact"] in BAD
    ]


class Audit:
    """Visit pages, collect axe problems and CSP reports, and photograph portal pages."""

    def __init__(self, page: Page, base: str, shoot) -> None:
        self.page, self.base, self.shoot = page, base, shoot
        self.problems: dict[str, list[str]] = {}
        self.csp: list[str] = []
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp.append(f"{self.page.url}: {message.text}")

    def check(self, name: str, path: str | None = None, *, photo: bool = True) -> None:
        if path is not None:
            response = self.page.goto(self.base + path)
            assert response is not None and response.status < 500, (name, response)
        found = axe_problems(self.page)
        self.page.set_viewport_size({"width": 360, "height": 740})
        found += [f"at 360 px: {p}" for p in axe_problems(self.page)]
        self.page.set_viewport_size({"width": 1280, "height": 800})
        if found:
            self.problems[f"{name} ({self.page.url})"] = found
        if photo:
            self.shoot(name)

    def assert_clean(self) -> None:
        lines = [f"{page}:\n  " + "\n  ".join(found) for page, found in self.problems.items()]
        assert not lines, "axe found serious or critical problems:\n" + "\n".join(lines)
        assert not self.csp, self.csp


@pytest.fixture
def story(cast):
    """The cast's client in the middle of a course: goals, focus, tasks, scores, daily log."""
    from openipt.assessments.services import record_administration
    from openipt.courses.models import Focus, Goal, RelapsePlan
    from openipt.measures import get_instrument
    from openipt.portal.models import ClientTask, MoodEntry

    today = timezone.localdate()
    course = make_course(client=cast.client, started_on=today - datetime.timedelta(60))
    for number in range(1, 5):
        day = today - datetime.timedelta(days=56 - 14 * number)
        add_session(course=course, number=number, date=day, work=WORK)
    ClientTask.objects.filter(session__number=3).update(done_at=timezone.now())
    Goal.objects.create(course=course, text="Feel less alone in the evenings", position=1)
    Goal.objects.create(course=course, text="Talk to my sister every week", position=2,
                        status="partly_met")  # fmt: skip
    Focus.objects.create(course=course, area="role_transition", chosen_on=course.started_on,
                         recorded_by=cast.therapist)  # fmt: skip
    RelapsePlan.objects.create(
        course=course, warning_signs="Staying in bed after 10\nNot answering the phone",
        what_helps="Walking with my sister; choir", people_to_tell="My sister, Sam",
        whom_to_contact="My GP, or the service on 0123 456 789",
    )  # fmt: skip
    inst = get_instrument("phq9")
    for days, total in ((55, 19), (41, 16), (27, 13), (13, 10)):
        when = timezone.now() - datetime.timedelta(days=days)
        record_administration(
            cast.therapist, course, inst, phq9_answers(total=total), completed_at=when
        )
    for days in range(1, 15):
        MoodEntry.objects.create(course=course, date=today - datetime.timedelta(days=days),
                                 mood=3 + days % 5, contacts=days % 4)  # fmt: skip
    return course


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_it_finds_no_serious_problem_on_the_clients_pages(cast, story, page, live_server, shoot):
    audit = Audit(page, live_server.url, shoot)
    _sign_in(page, live_server.url, "cli")
    audit.check("portal-home", "/portal/")
    audit.check("portal-plan", "/portal/plan/")
    audit.check("portal-progress", "/portal/progress/")
    audit.check("portal-log", "/portal/log/")
    page.get_by_role("button", name="Save today's log").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    audit.check("portal-log-errors")
    audit.check("portal-staying-well", "/portal/staying-well/")
    audit.check("portal-questionnaire-start", "/portal/questionnaires/phq9/")
    page.get_by_role("button", name="Start the PHQ-9").click()
    audit.check("portal-question")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose an answer")
    audit.check("portal-question-error")
    for number in range(1, 10):
        page.goto(f"{live_server.url}/portal/questionnaires/phq9/{number}/")
        answer = "Several days" if number == 9 else "Not at all"
        page.locator("main").get_by_role("radio", name=answer, exact=True).check()
        page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert").filter(has_text="If you need help now")).to_be_visible()
    audit.check("portal-question-crisis")
    page.get_by_role("button", name="Skip this question").click()
    audit.check("portal-check-answers")
    page.get_by_role("button", name="Send my answers").click()
    audit.check("portal-sent")
    audit.assert_clean()


def test_it_finds_no_serious_problem_after_the_course(cast, story, page, live_server, shoot):
    story.status, story.ended_on = "ended", timezone.localdate()
    story.save()
    follow = make_course(client=cast.client, format="maintenance", follows=story,
                         frequency="monthly", planned_sessions=6, maintenance_months=6,
                         started_on=timezone.localdate())  # fmt: skip
    add_session(course=follow, number=1, date=timezone.localdate())
    audit = Audit(page, live_server.url, shoot)
    _sign_in(page, live_server.url, "cli")
    audit.check("portal-staying-well-after", "/portal/staying-well/")
    audit.check("portal-home-after", "/portal/")
    audit.assert_clean()


def test_it_finds_no_serious_problem_on_the_public_portal_pages(cast, page, live_server, shoot):
    from django.core import mail

    from openipt.portal import links

    audit = Audit(page, live_server.url, shoot)
    issued = links.invite_client(cast.therapist, cast.client)
    audit.check("portal-join-code", "/portal/join/")
    page.get_by_role("button", name="Continue").click()
    audit.check("portal-join-code-errors")
    audit.check("portal-join", f"/portal/join/{issued.secret}/")
    page.get_by_role("button", name="Set my password and sign in").click()
    audit.check("portal-join-errors")
    audit.check("portal-link-expired", "/portal/join/ABCD-EFGH-JKLM-NPQR/")
    audit.check("portal-sign-in", "/portal/sign-in/")
    cast.client.email = "carla@example.org"
    cast.client.save()
    page.get_by_label("Your e-mail address").fill("carla@example.org")
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    audit.check("portal-sign-in-sent")
    token = mail.outbox[-1].body.split("/portal/sign-in/")[1].split("/")[0]
    audit.check("portal-sign-in-link", f"/portal/sign-in/{token}/")
    audit.check("login", "/accounts/login/", photo=False)
    audit.assert_clean()


def test_it_finds_no_serious_problem_on_the_therapists_pages(cast, story, page, live_server, shoot):
    audit = Audit(page, live_server.url, shoot)
    _sign_in(page, live_server.url, "ther")
    audit.check("caseload", "/courses/", photo=False)
    audit.check("course-page", f"/courses/{story.pk}/", photo=False)
    audit.check("portal-client-access", f"/clients/{cast.client.pk}/")
    page.get_by_role("button", name="Make an invitation to reset the password").click()
    audit.check("portal-invitation-printable")
    audit.check("client-reminders", f"/clients/{cast.client.pk}/reminders/")
    audit.check("notification-preferences", "/notifications/preferences/")
    audit.assert_clean()


def test_it_finds_no_serious_problem_on_the_notification_pages(
    cast, story, page, live_server, shoot
):
    from openipt.assessments.services import submit_assessment
    from tests.factories import phq9_answers

    (alert,) = submit_assessment(
        cast.therapist, story, "phq9", phq9_answers(total=10, item9=1)
    ).alerts
    audit = Audit(page, live_server.url, shoot)
    _sign_in(page, live_server.url, "ther")
    audit.check("notifications", "/notifications/")
    audit.check("alert-with-record", alert.get_absolute_url())
    page.get_by_role("button", name="Acknowledge: I am acting on it").click()
    audit.check("alert-acknowledged")
    audit.assert_clean()
