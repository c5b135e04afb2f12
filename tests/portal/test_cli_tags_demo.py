from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone
from typer.testing import CliRunner

from openipt.cli import app
from openipt.portal import links
from openipt.portal.models import ClientTask, MoodEntry, PortalLink
from tests.factories import add_session, make_client, make_course, make_user

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_it_prints_the_invitation_link_alone_on_the_last_line(cast, settings):
    settings.OPENIPT_BASE_URL = "https://ipt.example.org/"
    result = runner.invoke(app, ["invite", "--client", "R-1"])
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("https://ipt.example.org/portal/join/")
    code = last.rstrip("/").rsplit("/", 1)[-1]
    assert links.check_link("invitation", code).client == cast.client
    by_id = runner.invoke(app, ["invite", "--client", str(cast.client.pk)])
    assert by_id.exit_code == 0 and PortalLink.objects.filter(revoked_at=None).count() == 1


def test_it_keeps_everything_but_the_link_off_standard_output(cast):
    result = runner.invoke(app, ["invite", "--client", "R-1"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line == line.strip() and line.endswith("/") and "/portal/join/" in line
    assert "Invitation for Carla Client (R-1)" in result.stderr and "Code: " in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "nobody"], "No client with the id or record number 'nobody'."),
        (["--client", "99999"], "No client with the id or record number '99999'."),
        (["--client", "9" * 30], "No client with the id or record number"),
        (["--client", "-1"], "No client with the id or record number '-1'."),
        (["--client", "R-1", "--email"], "Add the client's e-mail address"),
    ],
)
def test_it_refuses_bad_invite_requests(cast, args, message):
    result = runner.invoke(app, ["invite", *args])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert not PortalLink.objects.exists()


def test_it_refuses_to_invite_an_erased_client(cast):
    from openipt.privacy.erasure import erase_client

    new = make_client(therapist=cast.therapist, name="New Person", record_number="R-9")
    erase_client(cast.therapist, new)
    result = runner.invoke(app, ["invite", "--client", "R-9"])
    assert result.exit_code == 1 and "record is erased" in result.stderr
    assert not PortalLink.objects.exists()


def test_it_renders_the_mood_panel_for_the_course_page(cast, course):
    today = timezone.localdate()
    for days, mood in ((2, 3), (1, 6)):
        MoodEntry.objects.create(
            course=course, date=today - datetime.timedelta(days=days), mood=mood, contacts=1,
            note="Walk <b>",
        )  # fmt: skip
    add_session(course=course, number=1, work="Call my sister")
    html = Template("{% load portal_tags %}{% mood_panel course %}").render(
        Context({"course": course})
    )
    assert f'hx-get="/portal/courses/{course.pk}/log-chart/"' in html and "<table" in html
    assert "Walk &lt;b&gt;" in html and "Call my sister" in html and "Not done" in html


def test_it_renders_an_empty_mood_panel(cast, course):
    html = Template("{% load portal_tags %}{% mood_panel course %}").render(
        Context({"course": course})
    )
    assert "No entries in the last four weeks" in html and "<table" not in html


def test_it_gives_the_demo_client_portal_data_once(cast):
    from openipt.demo import DemoSummary
    from openipt.portal.demo import extend_demo

    summary = DemoSummary()
    extend_demo(summary)  # no demo client: nothing happens
    assert summary.notes == []
    maya = make_client(
        therapist=cast.therapist, name="Maya Thompson", record_number="DEMO-0001",
        user=make_user(username="maya", role="client"),
    )  # fmt: skip
    course = make_course(client=maya, started_on=timezone.localdate() - datetime.timedelta(days=30))
    add_session(course=course, number=1)
    extend_demo(summary)
    extend_demo(summary)
    assert PortalLink.objects.filter(client=maya, used_at__isnull=False).count() == 1
    assert ClientTask.objects.filter(course=course).count() == 2
    assert ClientTask.objects.filter(course=course, done_at__isnull=False).count() == 1
    assert MoodEntry.objects.filter(course=course).count() == 13
    assert len(summary.notes) == 1
