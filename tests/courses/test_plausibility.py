"""Implausible records are refused or confirmed, and a form hears of every problem at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openipt.clients.services import create_client, update_client
from openipt.courses import services
from tests.factories import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_default(settings):
    settings.OPENIPT_OLD_START_DAYS = 730  # the service's default (settings.py)


def _years_ago(years: int) -> date:
    return today() - timedelta(days=round(365.25 * years))


def test_it_refuses_ipt_a_for_a_client_outside_its_ages_with_the_source(cast):
    cast.client.date_of_birth = _years_ago(30)
    with pytest.raises(ValidationError) as refused:
        services.open_course(cast.therapist, cast.client, "adolescent", intake_flags=[])
    message = refused.value.message_dict["format"][0]
    assert "aged 12 to 18 [S15]" in message
    assert "is 29" in message or "is 30" in message
    cast.client.date_of_birth = _years_ago(15)
    assert services.open_course(cast.therapist, cast.client, "adolescent", intake_flags=[])


def test_it_asks_for_the_date_of_birth_before_ipt_a(cast):
    cast.client.date_of_birth = None
    notices = services.intake_notices(cast.client, "adolescent")
    assert [n.code for n in notices] == ["age_unknown"] and notices[0].sources == ("S15",)
    assert services.intake_notices(cast.client, "standard") == []


def test_it_asks_to_confirm_a_start_long_ago(cast, service_default):
    mistyped = date(1990, 1, 5)
    with pytest.raises(ValidationError) as refused:
        services.open_course(cast.therapist, cast.client, "standard", started_on=mistyped)
    assert "more than 730 days ago" in refused.value.message_dict["started_on"][0]
    course = services.open_course(
        cast.therapist, cast.client, "standard", started_on=mistyped, confirm_old_start=True
    )
    assert course.started_on == mistyped


def test_it_refuses_a_start_before_the_client_was_born(cast):
    cast.client.date_of_birth = _years_ago(20)
    with pytest.raises(ValidationError) as refused:
        services.open_course(
            cast.therapist,
            cast.client,
            "standard",
            started_on=_years_ago(25),
            confirm_old_start=True,
        )
    assert "before the client was born" in refused.value.message_dict["started_on"][0]


def test_it_reports_every_problem_of_a_new_course_at_once(cast, service_default):
    with pytest.raises(ValidationError) as refused:
        services.open_course(
            cast.therapist,
            cast.client,
            "standard",
            planned_sessions=99,
            started_on=today() + timedelta(days=3),
            symptom_onset=today() + timedelta(days=1),
        )
    assert {"planned_sessions", "started_on", "symptom_onset"} <= set(refused.value.message_dict)


def test_it_refuses_a_date_of_birth_too_far_back_with_the_other_problems(cast):
    with pytest.raises(ValidationError) as refused:
        create_client(cast.therapist, name="", date_of_birth=date(1850, 3, 1))
    assert {"name", "date_of_birth"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError, match="older than 110"):
        update_client(cast.therapist, cast.client, date_of_birth=date(1890, 1, 1))


def test_it_asks_on_the_page_to_confirm_a_start_long_ago(cast, login, service_default):
    web = login(cast.therapist)
    url = reverse("courses:start", args=[cast.client.pk])
    form = {"format": "standard", "started_on": "1990-01-05"}
    asked = web.post(url, form).content.decode()
    assert "more than 730 days ago" in asked
    assert "The start date is right, although it is long ago" in asked
    opened = web.post(url, form | {"confirm_old_start": "on"})
    assert opened.status_code == 302
