"""Ending a course early: a dropout counts as an ended course, one opened in error nowhere."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from openipt.courses import services
from openipt.courses.models import Course
from openipt.insights.outcomes import Filters, report
from tests.factories import make_alert, run_sessions, today

pytestmark = pytest.mark.django_db


def _counts(cast, course) -> dict:
    filters = Filters(start=course.started_on, end=today(), group="therapist")
    rows = report(filters, Course.objects.all(), cast.client.__class__.objects.all())["rows"]
    return {key: sum(row.get(key) or 0 for row in rows) for key in ("started", "ended")}


def test_it_closes_a_dropout_as_an_ended_course(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=2)
    services.close_course(cast.therapist, course, how="dropped_out", reason="Stopped coming")
    closed = Course.objects.get(pk=course.pk)
    assert closed.status == "discontinued" and closed.end_decision_detail == "Stopped coming"
    assert closed.finished is True  # two or more sessions: NHS Talking Therapies' "finished"


def test_it_leaves_a_course_opened_in_error_out_of_every_outcome(cast, course):
    before = _counts(cast, course)
    services.close_course(cast.therapist, course, how="opened_in_error", reason="Wrong client")
    after = _counts(cast, course)
    assert Course.objects.get(pk=course.pk).status == "error"
    assert after["started"] == before["started"] - 1 and after["ended"] == before["ended"]


def test_it_needs_a_way_a_reason_and_no_open_alert(cast, course):
    with pytest.raises(ValidationError) as refused:
        services.close_course(cast.therapist, course, how="vanished", reason="")
    assert {"how", "reason"} <= set(refused.value.message_dict)
    make_alert(course=course, raised_at=timezone.now())
    with pytest.raises(ValidationError, match="open risk alert"):
        services.close_course(cast.therapist, course, how="dropped_out", reason="Moved away")


def test_it_closes_a_course_from_its_page(cast, course, login):
    url = reverse("courses:close", args=[course.pk])
    assert login(cast.supervisor).post(url, {}).status_code == 403
    web = login(cast.therapist)
    form = {"how": "dropped_out", "ended_on": today().isoformat(), "reason": "Stopped coming"}
    assert web.post(url, form).status_code == 302
    assert Course.objects.get(pk=course.pk).status == "discontinued"


def test_it_closes_a_course_through_the_api(cast, course):
    import json

    from django.test import Client as WebClient

    from openipt.accounts.models import ApiToken

    api = WebClient(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(cast.therapist)[1]}")
    url = f"/api/v1/courses/{course.pk}/close"
    body = {"how": "opened_in_error", "reason": "Wrong client"}
    closed = api.post(url, json.dumps(body), content_type="application/json")
    assert closed.status_code == 200 and json.loads(closed.content)["status"] == "error"
    again = api.post(url, json.dumps(body), content_type="application/json")
    assert again.status_code == 400
