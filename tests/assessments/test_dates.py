"""A questionnaire has the date it was completed, not the day it was typed in."""

from __future__ import annotations

import datetime
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client as WebClient
from django.urls import reverse
from django.utils import timezone

from openipt.accounts.models import ApiToken
from openipt.assessments.models import Administration, Alert
from openipt.assessments.services import AnswersRefused, submit_assessment
from tests.factories import add_session, phq9_answers, today

pytestmark = pytest.mark.django_db

DATES = "openipt.assessments.migrations.0003_date_scores_by_their_session"


def _day(admin: Administration) -> datetime.date:
    return timezone.localdate(admin.completed_at)


def _ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def test_it_dates_a_score_by_its_session(cast, course):
    session = add_session(course=course, number=1, date=_ago(21))
    done = submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=12), session)
    assert _day(done.administration) == session.date


def test_it_takes_the_date_given_over_the_sessions(cast, course):
    session = add_session(course=course, number=1, date=_ago(21))
    done = submit_assessment(
        cast.therapist, course, "phq9", phq9_answers(total=12), session, completed_on=_ago(23)
    )
    assert _day(done.administration) == _ago(23)


def test_it_dates_an_unlinked_score_today(cast, course):
    done = submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=12))
    assert _day(done.administration) == today()


def test_it_refuses_a_date_in_the_future_but_keeps_the_risk_alert(cast, course):
    with pytest.raises(ValidationError) as refused:
        submit_assessment(
            cast.therapist,
            course,
            "phq9",
            phq9_answers(total=12, item9=1),
            completed_on=today() + datetime.timedelta(days=1),
        )
    assert "completed_on" in refused.value.message_dict
    assert not Administration.objects.exists()
    assert Alert.objects.filter(course=course, status="open").count() == 1


def test_it_orders_scores_typed_in_late_by_their_sessions(cast, course):
    sessions = [add_session(course=course, number=n, date=_ago(70 - 7 * n)) for n in (1, 2, 3)]
    for session, total in zip(reversed(sessions), (8, 12, 18), strict=True):  # typed newest first
        submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=total), session)
    totals = list(Administration.objects.filter(course=course).values_list("total", flat=True))
    assert totals == [18, 12, 8]
    course.refresh_from_db()
    assert timezone.localdate(course.latest_score_at) == sessions[-1].date


def test_it_takes_the_date_on_the_entry_page(cast, course):
    session = add_session(course=course, number=1, date=_ago(14))
    web = WebClient()
    web.force_login(cast.therapist, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("assessments:enter", args=[course.pk, "phq9"])
    answers = {f"item_{k}": v for k, v in phq9_answers(total=9).items()}
    form = {"session": session.pk, "completed_by": "clinician", **answers}
    future = web.post(url, form | {"completed_on": (today() + datetime.timedelta(days=2))})
    assert future.status_code == 200
    assert b"cannot be completed in the future" in future.content
    saved = web.post(url, form | {"completed_on": _ago(15).isoformat()})
    assert saved.status_code == 302
    assert _day(Administration.objects.get()) == _ago(15)


def test_it_takes_the_date_through_the_api(cast, course):
    session = add_session(course=course, number=1, date=_ago(14))
    api = WebClient(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(cast.therapist)[1]}")
    url = f"/api/v1/courses/{course.pk}/assessments"
    body = {"instrument": "phq9", "answers": phq9_answers(total=9), "session_id": session.pk}
    future = {**body, "completed_on": (today() + datetime.timedelta(days=1)).isoformat()}
    refused = api.post(url, json.dumps(future), content_type="application/json")
    assert refused.status_code == 400
    assert "future" in refused.content.decode()
    created = api.post(url, json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    listed = json.loads(api.get(url).content)["items"][0]
    assert listed["completed_at"].startswith(session.date.isoformat())


def test_the_migration_dates_typed_in_scores_by_their_sessions(cast, course):
    import importlib

    migration = importlib.import_module(DATES)
    session = add_session(course=course, number=1, date=_ago(30))
    staff = submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=12), session)
    Administration.objects.filter(pk=staff.administration.pk).update(completed_at=timezone.now())
    migration.date_by_session(apps, None)
    assert _day(Administration.objects.get(pk=staff.administration.pk)) == session.date
    course.refresh_from_db()
    assert timezone.localdate(course.latest_score_at) == session.date


def test_the_migration_keeps_a_clients_own_answer_time(cast, course):
    import importlib

    migration = importlib.import_module(DATES)
    session = add_session(course=course, number=1, date=_ago(30))
    done = submit_assessment(
        cast.client_user, course, "phq9", phq9_answers(total=12), session, completed_by="client"
    )
    answered = timezone.now() - datetime.timedelta(days=29)
    Administration.objects.filter(pk=done.administration.pk).update(completed_at=answered)
    migration.date_by_session(apps, None)
    assert Administration.objects.get(pk=done.administration.pk).completed_at == answered


def test_it_still_refuses_bad_answers_before_the_date(cast, course):
    with pytest.raises(AnswersRefused):
        submit_assessment(cast.therapist, course, "phq9", {"1": 5}, completed_on=_ago(1))
