"""What a client reads: plain words, no clinicians' sources, the service's own crisis numbers,
and nothing about a next session once the course has ended."""

from __future__ import annotations

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from openipt.assessments.services import submit_assessment
from openipt.cli import app
from openipt.courses.models import Course
from tests.factories import phq9_answers

pytestmark = pytest.mark.django_db


def test_it_starts_a_questionnaire_in_plain_words(cast, course, login):
    page = login(cast.client_user).get(reverse("portal:begin", args=["phq9"])).content.decode()
    assert "A short questionnaire about how you have been feeling" in page
    assert "DSM" not in page and "[S" not in page
    assert "before your next session" in page


def test_it_says_nothing_of_a_next_session_after_the_course_ended(cast, course, login):
    done = submit_assessment(
        cast.client_user, course, "phq9", phq9_answers(total=9), completed_by="client"
    )
    Course.objects.filter(pk=course.pk).update(status="ended")
    page = login(cast.client_user).get(reverse("portal:sent", args=[done.administration.pk]))
    assert "Your therapist will see them." in page.content.decode()
    assert "next session" not in page.content.decode()


def test_it_shows_the_services_own_crisis_numbers_after_a_risk_answer(
    cast, course, login, settings
):
    settings.OPENIPT_CRISIS_CONTACTS = ["Duty team (9-5): 0100 000 0000", "Samaritans: 116 123"]
    done = submit_assessment(
        cast.client_user, course, "phq9", phq9_answers(total=12, item9=1), completed_by="client"
    )
    page = login(cast.client_user).get(reverse("portal:sent", args=[done.administration.pk]))
    text = page.content.decode()
    assert "If you need help now" in text
    assert "Duty team (9-5): 0100 000 0000" in text and "Samaritans: 116 123" in text


def test_the_check_warns_while_the_crisis_numbers_are_empty(settings):
    settings.OPENIPT_CRISIS_CONTACTS = []
    warned = CliRunner().invoke(app, ["check"])
    assert "OPENIPT_CRISIS_CONTACTS is empty" in warned.output
    settings.OPENIPT_CRISIS_CONTACTS = ["Samaritans: 116 123"]
    assert "OPENIPT_CRISIS_CONTACTS" not in CliRunner().invoke(app, ["check"]).output
