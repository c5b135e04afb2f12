"""The summary columns are what the assessments area computes, and the answers add up."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q, Sum

from tests.conftest import clear_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(synth, settings):
    # A low minimum so that the service's own expected-change curves are fitted and used.
    settings.OPENIPT_EXPECTED_CURVES_MIN_COURSES = 5
    clear_cache()
    return synth(courses=120, batch_courses=50)


def test_it_fills_every_summary_column_as_the_assessments_area_would(service):
    from openipt.assessments.models import Alert
    from openipt.assessments.summary import SUMMARY_FIELDS, compute, load
    from openipt.courses.models import Course

    mismatches = []
    for course in Course.objects.order_by("id"):
        open_alerts = Alert.objects.filter(course=course, status="open").count()
        expected = compute(course, load(course), open_alerts)
        for name in SUMMARY_FIELDS:
            if getattr(course, name) != expected[name]:
                mismatches.append((course.pk, name, getattr(course, name), expected[name]))
    assert mismatches == []


def test_it_fills_the_course_columns_kept_by_the_course_engine(service):
    from openipt.courses.models import Course, Session

    for course in Course.objects.all():
        attended = Session.objects.filter(course=course, attendance="attended")
        last = attended.order_by("-date").values_list("date", flat=True).first()
        assert course.last_session_on == last
        numbers = sorted(attended.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        if course.planned_sessions is not None:
            assert course.sessions_attended <= course.planned_sessions


def test_it_makes_every_class_of_outcome(service):
    from openipt.courses.models import Course

    found = Course.objects.aggregate(
        n_recovered=Count("id", filter=Q(recovered=True)),
        n_not_recovered=Count("id", filter=Q(recovered=False)),
        n_improved=Count("id", filter=Q(reliably_improved=True)),
        n_deteriorated=Count("id", filter=Q(reliably_deteriorated=True)),
        n_responded=Count("id", filter=Q(responded=True)),
        n_active=Count("id", filter=Q(status="active")),
        n_ended=Count("id", filter=Q(status="ended")),
        n_discontinued=Count("id", filter=Q(status="discontinued")),
        n_off_track=Count("id", filter=Q(not_on_track=True)),
    )
    assert all(found.values()), found


def test_it_stores_item_answers_that_add_up_to_each_total(service):
    from openipt.assessments.models import Administration

    sums = Administration.objects.annotate(
        items=Sum("item_answers__value", filter=Q(item_answers__scored=True))
    ).values_list("total", "items")
    assert sums and all(total == items for total, items in sums)


def test_it_raises_an_alert_for_every_risk_answer_and_resolves_most(service):
    from openipt.assessments.models import Alert, ItemAnswer

    positive = ItemAnswer.objects.filter(
        administration__instrument="phq9", item="9", value__gt=0
    ).count()
    alerts = Alert.objects.all()
    assert alerts.count() == positive > 0
    resolved = alerts.filter(status="resolved")
    assert resolved.count() > alerts.count() / 2
    assert not resolved.filter(action="").exists()
    assert not alerts.filter(status="open", course__status__in=["ended", "discontinued"]).exists()


def test_it_leaves_no_broken_reference_behind(service):
    """SQLite checks foreign keys only when asked (the generator writes with them off)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL checks every foreign key at commit")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_key_check")
        assert cursor.fetchall() == []
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1  # switched back on after the run
