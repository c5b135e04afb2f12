"""The course summary columns and outcome classes, on hand-built courses."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openipt.assessments.summary import SUMMARY_FIELDS, refresh_course_summary
from openipt.courses.models import Course
from tests.factories import add_session, make_course, run_course, score_session

pytestmark = pytest.mark.django_db


def _summary(course) -> dict:
    course.refresh_from_db()
    return {name: getattr(course, name) for name in SUMMARY_FIELDS}


def _end(course) -> None:
    course.status = Course.Status.ENDED
    course.save()


def test_it_summarises_a_finished_recovered_course(cast, course):
    run_course(course=course, phq9_totals=[18, 14, 11, 8, 6], gad7_totals=[14, 12, 9, 7, 5])
    _end(course)
    summary = _summary(course)
    assert summary | {"latest_score_at": None} == {
        "sessions_attended": 5,
        "phq9_first": 18,
        "phq9_last": 6,
        "gad7_first": 14,
        "gad7_last": 5,
        "latest_score_at": None,
        "open_alerts": 0,
        "measure_due": False,
        "measure_missed": False,
        "not_on_track": False,
        "caseness": True,
        "finished": True,
        "recovered": True,
        "reliably_improved": True,
        "reliably_deteriorated": False,
        "reliably_recovered": True,
        "responded": True,  # 18 -> 6 is a fall of two thirds
        "remitted": False,  # 6 is not below 5
    }
    assert summary["latest_score_at"] is not None


def test_it_leaves_end_of_course_classes_open_on_an_active_course(cast, course):
    run_course(course=course, phq9_totals=[18, 14, 11, 8, 4], gad7_totals=[14, 12, 9, 7, 5])
    summary = _summary(course)
    assert summary["finished"] is False
    assert summary["recovered"] is None and summary["reliably_recovered"] is None
    assert summary["reliably_improved"] is True  # judged so far
    assert summary["remitted"] is True
    assert summary["measure_due"] is True  # every session by default


def test_it_judges_nothing_but_caseness_from_a_single_score(cast, course):
    run_course(course=course, phq9_totals=[16], gad7_totals=[9])
    _end(course)
    summary = _summary(course)
    assert (summary["phq9_first"], summary["phq9_last"]) == (16, 16)
    assert summary["caseness"] is True
    assert summary["finished"] is False  # one session is not a finished course
    for name in ("recovered", "reliably_improved", "responded", "remitted"):
        assert summary[name] is None, name


def test_it_uses_the_phq9_alone_when_the_gad7_is_missing(cast, course):
    run_course(course=course, phq9_totals=[15, 12, 9, 8])
    _end(course)
    summary = _summary(course)
    assert summary["gad7_first"] is None and summary["gad7_last"] is None
    assert summary["recovered"] is True
    assert summary["reliably_improved"] is True  # 15 -> 8 is a fall of 7 >= 6


def test_it_cannot_judge_recovery_when_only_the_gad7_was_at_caseness_and_has_no_end(cast, course):
    run_course(course=course, phq9_totals=[6, 5, 4], gad7_totals=[12])
    _end(course)
    summary = _summary(course)
    assert summary["caseness"] is True
    assert summary["recovered"] is None


def test_it_marks_reliable_deterioration(cast, course):
    run_course(course=course, phq9_totals=[10, 14, 17], gad7_totals=[8, 10, 13])
    summary = _summary(course)
    assert summary["reliably_deteriorated"] is True
    assert summary["reliably_improved"] is False
    assert summary["responded"] is False


def test_it_counts_open_alerts(cast, course):
    run_course(course=course, phq9_totals=[12, 12, 11], item9={1: 1, 3: 2})
    assert _summary(course)["open_alerts"] == 2


def test_it_updates_attendance_and_due_when_a_session_is_saved(cast, course):
    assert _summary(course)["measure_due"] is True  # a new course: session 1 is due
    session = add_session(course=course, number=1)
    summary = _summary(course)
    assert summary["sessions_attended"] == 1
    assert summary["measure_due"] is True
    add_session(course=course, number=2, attendance="did_not_attend")
    assert _summary(course)["sessions_attended"] == 1
    session.delete()
    assert _summary(course)["sessions_attended"] == 0


def test_it_finishes_a_course_when_it_ends_without_being_asked(cast, course):
    run_course(course=course, phq9_totals=[14, 9])
    assert _summary(course)["finished"] is False
    course.status = Course.Status.ENDED
    course.save(update_fields=["status"])
    summary = _summary(course)
    assert summary["finished"] is True and summary["measure_due"] is False


def test_it_does_not_repeat_a_refresh_within_one_transaction(cast, course):
    run_course(course=course, phq9_totals=[14, 12])
    refresh_course_summary(course, force=True)
    with CaptureQueriesContext(connection) as queries:
        assert refresh_course_summary(course) == []
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1  # the locked read of the course row, nothing else


def test_it_repairs_columns_that_a_stale_course_save_overwrote(cast, course):
    stale = Course.objects.get(pk=course.pk)
    run_course(course=course, phq9_totals=[18, 12])
    stale.save()  # writes back phq9_first=None and the rest
    assert _summary(course)["phq9_first"] == 18
    stale.refresh_from_db()
    refresh_course_summary(stale)
    assert _summary(course)["phq9_last"] == 12


def test_it_hands_the_new_values_to_the_callers_course_object(cast, course):
    session = add_session(course=course, number=1)
    score_session(session=session, instrument="phq9", answers={str(i): 1 for i in range(1, 10)})
    changed_object = Course.objects.get(pk=course.pk)
    changed_object.phq9_first = None
    refresh_course_summary(changed_object)
    assert changed_object.phq9_first == 9


def test_it_keeps_other_courses_out_of_the_summary(cast, course):
    other = make_course(client=cast.other_client)
    run_course(course=other, phq9_totals=[20, 20, 20])
    run_course(course=course, phq9_totals=[10])
    assert _summary(course)["phq9_first"] == 10
    assert _summary(course)["sessions_attended"] == 1
