"""One overdue rule: the caseload's badge and the supervisor's "Measures overdue" agree."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse

from openipt.assessments.overdue import is_overdue, overdue_q
from openipt.courses.models import Course
from tests.factories import make_course_row, today

pytestmark = pytest.mark.django_db

FREQUENCIES = ["weekly", "fortnightly", "monthly", ""]
AGES = [None, 0, 6, 7, 8, 13, 14, 15, 30, 31, 32, 60]


def test_the_python_rule_and_the_sql_rule_agree_on_every_case(cast, settings):
    day = today()
    for grace in (0, 3):
        settings.OPENIPT_MEASURE_OVERDUE_GRACE_DAYS = grace
        Course.objects.all().delete()
        for frequency, age, due, status in itertools.product(
            FREQUENCIES, AGES, (True, False), ("active", "ended")
        ):
            last = None if age is None else day - timedelta(days=age)
            make_course_row(
                therapist=cast.therapist,
                frequency=frequency,
                last_session_on=last,
                started_on=day - timedelta(days=20),
                measure_due=due,
                status=status,
            )
        in_sql = set(Course.objects.filter(overdue_q(day)).values_list("pk", flat=True))
        in_python = {c.pk for c in Course.objects.all() if is_overdue(c, day)}
        assert in_sql == in_python and in_sql


def test_the_caseload_shows_overdue_for_the_courses_the_supervisor_counts(cast, login):
    late = make_course_row(
        therapist=cast.therapist,
        frequency="weekly",
        measure_due=True,
        last_session_on=today() - timedelta(days=10),
    )
    make_course_row(
        therapist=cast.therapist,
        frequency="weekly",
        measure_due=True,
        last_session_on=today() - timedelta(days=2),
    )
    caseload = login(cast.therapist).get(reverse("courses:caseload")).content.decode()
    assert caseload.count(">Overdue</span>") == 1
    listed = login(cast.supervisor).get(reverse("insights:list", args=["measures_overdue"]))
    assert listed.status_code == 200 and late.client.name in listed.content.decode()
