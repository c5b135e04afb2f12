"""Open alerts belong to the client: every course of theirs shows them, and a course with an
open alert cannot be closed unless the client's care goes on in a course that shows it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as WebClient
from django.urls import reverse

from openipt.assessments.models import Alert
from openipt.assessments.services import resolve_alert, submit_assessment
from openipt.courses import services
from openipt.courses.models import Course
from tests.factories import make_course, phq9_answers, run_sessions, today

pytestmark = pytest.mark.django_db


def _alert(actor, course) -> Alert:
    done = submit_assessment(actor, course, "phq9", phq9_answers(total=14, item9=1))
    return done.alerts[0]


def _web(user) -> WebClient:
    web = WebClient()
    web.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return web


def test_it_refuses_to_end_a_course_while_its_alert_is_open(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=2)
    alert = _alert(cast.therapist, course)
    with pytest.raises(ValidationError) as refused:
        services.record_termination(cast.therapist, course, decision="referral", detail="CMHT")
    assert "open risk alert" in refused.value.message_dict["decision"][0]
    assert Course.objects.get(pk=course.pk).status == "active"
    resolve_alert(cast.therapist, alert, "risk_assessed", "Seen the same day; no plan.")
    services.record_termination(cast.therapist, course, decision="referral", detail="CMHT")
    assert Course.objects.get(pk=course.pk).status == "ended"


def test_it_hands_an_open_alert_over_to_the_follow_on_course(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=2)
    _alert(cast.therapist, course)
    ending = services.record_termination(
        cast.therapist,
        course,
        warning_signs="Staying in bed",
        what_helps="Calling my sister",
        maintenance_discussed=True,
        decision="maintenance_contract",
        maintenance_frequency="monthly",
        maintenance_months=6,
    )
    follow_on = Course.objects.get(pk=ending.follow_on.pk)
    assert follow_on.open_alerts == 1
    page = _web(cast.therapist).get(follow_on.get_absolute_url())
    assert b"This client has an open risk alert on another course" in page.content


def test_it_shows_an_ended_courses_open_alert_on_the_caseload_and_every_course(cast):
    ended = make_course(client=cast.client, status="ended", ended_on=today())
    current = make_course(client=cast.client, started_on=today())
    alert = _alert(cast.therapist, ended)
    assert Course.objects.get(pk=current.pk).open_alerts == 1
    web = _web(cast.therapist)
    caseload = web.get(reverse("courses:caseload")).content.decode()
    assert "1 open alert" in caseload
    assert alert.get_absolute_url() in web.get(current.get_absolute_url()).content.decode()
    resolve_alert(cast.therapist, alert, "contact_made", "Phoned; safe, plan reviewed.")
    assert Course.objects.get(pk=current.pk).open_alerts == 0
    assert "1 open alert" not in web.get(reverse("courses:caseload")).content.decode()
    assert alert.get_absolute_url() not in web.get(current.get_absolute_url()).content.decode()
