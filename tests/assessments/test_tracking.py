"""Not on track: the mid-course rule, and the service's own expected-change curves."""

from __future__ import annotations

import pytest
from django.test import override_settings

from openipt.assessments import conf, tracking
from openipt.assessments.summary import load
from openipt.courses.models import Course
from tests.conftest import clear_cache
from tests.factories import add_session, make_course, phq9_answers, run_course, score_session

pytestmark = pytest.mark.django_db


def _flag(course) -> bool:
    course.refresh_from_db()
    return course.not_on_track


def test_it_flags_no_reliable_improvement_by_the_middle_of_the_course(cast):
    course = make_course(client=cast.client, planned_sessions=12)
    run_course(course=course, phq9_totals=[16, 16, 15, 15, 16])
    assert _flag(course) is False  # session 5 of 12: before the review point (6)
    run_course_more(course, [15])
    assert _flag(course) is True
    (reason,) = tracking.reasons(course, load(course).series, 6, conf.outcome_settings())
    assert reason.kind == "rule" and "session 6 of 12" in reason.text


def run_course_more(course, totals):
    start = course.sessions.filter(attendance="attended").count()
    for offset, total in enumerate(totals, start=1):
        session = add_session(course=course, number=start + offset)
        score_session(session=session, instrument="phq9", answers=phq9_answers(total=total))


def test_it_does_not_flag_a_course_that_improved_reliably(cast):
    course = make_course(client=cast.client, planned_sessions=8)
    run_course(course=course, phq9_totals=[18, 16, 14, 12, 11])
    assert _flag(course) is False


def test_it_leaves_out_a_measure_that_started_below_caseness(cast):
    course = make_course(client=cast.client, planned_sessions=8)
    # The GAD-7 cannot fall by 4.
    run_course(course=course, phq9_totals=[14, 11, 9, 7, 6], gad7_totals=[5, 5, 5, 5, 5])
    assert _flag(course) is False


def test_it_uses_the_format_default_when_no_contract_is_set(cast):
    course = make_course(client=cast.client, planned_sessions=None, format="ipc")
    run_course(course=course, phq9_totals=[15, 15, 15])  # IPC default 6 sessions: review at 3
    assert _flag(course) is True


def test_it_never_flags_an_ended_or_maintenance_course(cast):
    course = make_course(client=cast.client, planned_sessions=6)
    run_course(course=course, phq9_totals=[15, 15, 15, 15])
    assert _flag(course) is True
    course.status = Course.Status.ENDED
    course.save()
    assert _flag(course) is False
    maintenance = make_course(client=cast.client, planned_sessions=6, format="maintenance")
    run_course(course=maintenance, phq9_totals=[15, 15, 15, 15])
    assert _flag(maintenance) is False


def _finished_courses(cast, count, totals):
    for _ in range(count):
        course = make_course(client=cast.client, planned_sessions=12)
        run_course(course=course, phq9_totals=totals)
        course.status = Course.Status.ENDED
        course.save()


@override_settings(OPENIPT_EXPECTED_CURVES_MIN_COURSES=3)
def test_it_flags_a_course_worse_than_the_services_expected_curve(cast):
    _finished_courses(cast, 3, [17, 14, 11, 9, 7, 6])
    curves = tracking.service_curves("phq9")
    assert curves is not None
    point = curves.groups["moderately_severe"][3]
    assert (point.n, point.expected) == (3, 11)
    course = make_course(client=cast.client, planned_sessions=12)
    # session 3 of 12: before the rule's review point
    run_course(course=course, phq9_totals=[17, 15, 14])
    reasons = tracking.reasons(course, load(course).series, 3, conf.outcome_settings())
    assert [r.kind for r in reasons] == ["curve"]
    assert _flag(course) is True


@override_settings(OPENIPT_EXPECTED_CURVES_MIN_COURSES=3)
def test_it_does_not_use_curves_until_enough_courses_have_finished(cast):
    _finished_courses(cast, 2, [17, 14, 11, 9, 7, 6])
    assert tracking.service_curves("phq9") is None
    course = make_course(client=cast.client, planned_sessions=12)
    run_course(course=course, phq9_totals=[17, 15, 14])
    assert _flag(course) is False


@override_settings(OPENIPT_EXPECTED_CURVES_MIN_COURSES=3)
def test_it_does_not_flag_a_course_inside_the_tolerance_band(cast):
    _finished_courses(cast, 3, [17, 14, 11, 9, 7, 6])
    course = make_course(client=cast.client, planned_sessions=12)
    run_course(course=course, phq9_totals=[17, 14, 11])
    assert _flag(course) is False


@override_settings(OPENIPT_EXPECTED_CURVES_MIN_COURSES=3, OPENIPT_EXPECTED_CURVES_SAMPLE=3)
def test_it_fits_the_curves_on_the_most_recent_finished_courses_only(cast):
    _finished_courses(cast, 2, [20, 20, 20, 20])  # older courses that did not improve
    _finished_courses(cast, 3, [17, 14, 11, 9, 7, 6])
    clear_cache()  # the fit made while the last course ran is kept for hours otherwise
    curves = tracking.service_curves("phq9")
    assert curves is not None
    point = curves.groups["moderately_severe"][3]
    assert (point.n, point.expected) == (3, 11)


@override_settings(OPENIPT_EXPECTED_CURVES_MIN_COURSES=3)
def test_it_keeps_fitted_curves_so_a_page_does_not_refit_them(cast, django_assert_num_queries):
    _finished_courses(cast, 3, [17, 14, 11, 9, 7, 6])
    first = tracking.service_curves("phq9")
    _finished_courses(cast, 1, [20, 20, 20, 20])
    with django_assert_num_queries(0):
        assert tracking.service_curves("phq9") == first
