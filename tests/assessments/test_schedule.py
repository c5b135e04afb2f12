"""When measures are due and which sessions missed them."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from openipt.assessments.services import measure_status, statuses_for
from tests.factories import add_session, at, gad7_answers, make_course, phq9_answers, score_session

pytestmark = pytest.mark.django_db


def _both(course, session):
    score_session(session=session, instrument="phq9", answers=phq9_answers(total=12))
    score_session(session=session, instrument="gad7", answers=gad7_answers(total=9))


def test_it_makes_session_one_due_on_a_new_course(cast, course):
    status = measure_status(course)
    assert (status.next_session, status.due, status.instruments_due) == (1, True, ("phq9", "gad7"))
    assert status.missed == ()


def test_it_lists_held_sessions_that_missed_a_due_measure(cast, course):
    _both(course, add_session(course=course, number=1))
    add_session(course=course, number=2)
    only_phq9 = add_session(course=course, number=3)
    score_session(session=only_phq9, instrument="phq9", answers=phq9_answers(total=10))
    _both(course, add_session(course=course, number=4))
    status = measure_status(course)
    assert status.missed == (2, 3)  # 3 lacks the GAD-7
    assert status.next_session == 5 and status.due


@override_settings(OPENIPT_MEASURE_CADENCE="every_n", OPENIPT_MEASURE_EVERY_N=4)
def test_it_follows_intake_and_every_n_sessions_and_always_the_last(cast):
    course = make_course(client=cast.client, planned_sessions=8)
    due = []
    for number in range(1, 9):
        due.append(measure_status(course).due)
        add_session(course=course, number=number)
    assert due == [True, False, False, False, True, False, False, True]  # 1, 5 and 8 (last)
    assert measure_status(course).missed == (1, 5, 8)
    course.refresh_from_db()
    assert course.measure_due is True  # session 9 continues the cadence: 1 + 2 x 4


def test_it_counts_a_score_taken_before_the_session_for_that_session(cast, course):
    from openipt.assessments.services import record_administration
    from openipt.measures import get_instrument

    session_day = course.started_on
    for code, answers in (("phq9", phq9_answers(total=11)), ("gad7", gad7_answers(total=8))):
        record_administration(
            cast.client_user,
            course,
            get_instrument(code),
            answers,
            completed_by="client",
            completed_at=at(day=session_day - datetime.timedelta(days=1)),
        )
    assert measure_status(course).due is False  # already done for session 1
    add_session(course=course, number=1, date=session_day)
    status = measure_status(course)
    assert status.missed == () and status.next_session == 2 and status.due


def test_it_marks_nothing_due_once_both_measures_are_taken_for_the_next_session(cast, course):
    from openipt.assessments.services import record_administration
    from openipt.measures import get_instrument

    _both(course, add_session(course=course, number=1))
    later = at(day=course.started_on + datetime.timedelta(days=3))
    record_administration(
        cast.therapist, course, get_instrument("phq9"), phq9_answers(total=9), completed_at=later
    )
    assert measure_status(course).instruments_due == ("gad7",)
    course.refresh_from_db()
    assert course.measure_due is True
    record_administration(
        cast.therapist, course, get_instrument("gad7"), gad7_answers(total=7), completed_at=later
    )
    course.refresh_from_db()
    assert course.measure_due is False


def test_it_marks_nothing_due_on_an_ended_course(cast, course):
    add_session(course=course, number=1)
    course.status = "ended"
    course.save()
    status = measure_status(course)
    assert status.due is False and status.missed == (1,)


@pytest.mark.parametrize("extra", [3, 30])
def test_it_reads_many_courses_statuses_in_two_queries(cast, django_assert_num_queries, extra):
    courses = []
    for index in range(extra):
        course = make_course(client=cast.client)
        if index % 2:
            _both(course, add_session(course=course, number=1))
        courses.append(course)
    with django_assert_num_queries(2):
        statuses = statuses_for(courses)
    assert [statuses[c.pk].next_session for c in courses[:2]] == [1, 2]


def test_it_names_the_questionnaire_each_missed_session_lacks(cast, course):
    _both(course, add_session(course=course, number=1))
    add_session(course=course, number=2)
    only_phq9 = add_session(course=course, number=3)
    score_session(session=only_phq9, instrument="phq9", answers=phq9_answers(total=10))
    status = measure_status(course)
    assert status.missed_by == (("phq9", (2,)), ("gad7", (2, 3)))


def test_it_names_the_missing_questionnaire_on_the_measures_page_while_active(cast, course, login):
    from django.urls import reverse

    from tests.conftest import clear_cache

    _both(course, add_session(course=course, number=1))
    only_phq9 = add_session(course=course, number=2)
    score_session(session=only_phq9, instrument="phq9", answers=phq9_answers(total=10))
    web = login(cast.therapist)
    url = reverse("assessments:course", args=[course.pk])
    assert "GAD-7 not taken at session 2." in web.get(url).content.decode()
    course.status = "ended"
    course.save()
    clear_cache()  # one test transaction: kept pages are replaced once per transaction
    assert "not taken at session" not in web.get(url).content.decode()
