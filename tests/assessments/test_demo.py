"""Demo series: realistic shapes on the demo courses, idempotent, silent without courses."""

from __future__ import annotations

import datetime

import pytest

from openipt.assessments.demo import PHQ9_ORDER, extend_demo, spread
from openipt.assessments.models import Administration, Alert
from openipt.courses.models import Course
from tests.factories import add_session, make_client, make_course

pytestmark = pytest.mark.django_db

HELD = {"DEMO-0001": 16, "DEMO-0002": 12, "DEMO-0003": 7, "DEMO-0004": 8, "DEMO-0005": 9}


def demo_courses(cast) -> list[Course]:
    """Make demo clients and courses the way the course engine's demo would."""
    courses = []
    for index, (number, held) in enumerate(HELD.items()):
        client = make_client(therapist=cast.therapist, name=f"Demo {index}", record_number=number)
        course = make_course(
            client=client,
            planned_sessions=12 if held < 16 else 16,
            started_on=datetime.date(2026, 1, 5),
        )
        for number_ in range(1, held + 1):
            add_session(course=course, number=number_)
        courses.append(course)
    return courses


@pytest.fixture
def summary():
    from openipt.demo import DemoSummary

    return DemoSummary()


def test_it_does_nothing_without_demo_courses(db, summary):
    extend_demo(summary)
    assert Administration.objects.count() == 0
    assert summary.notes == []


def test_it_scores_the_demo_courses_with_realistic_stories(cast, summary):
    courses = demo_courses(cast)
    extend_demo(summary)
    for course in courses:
        course.refresh_from_db()
    responder, early_risk, non_responder, open_risk, brief = courses
    assert (responder.phq9_first, responder.phq9_last, responder.remitted) == (18, 2, True)
    assert responder.measure_due is True and responder.open_alerts == 0
    assert non_responder.not_on_track is True and non_responder.responded is False
    assert early_risk.open_alerts == 0
    resolved = Alert.objects.filter(course=early_risk)
    assert {a.action for a in resolved} == {"safety_plan", "risk_assessed"}
    assert all(a.note and a.resolved_at > a.raised_at for a in resolved)
    assert open_risk.open_alerts == 1
    assert Alert.objects.get(course=open_risk).status == "open"
    assert brief.responded is True
    assert Administration.objects.filter(course=responder).count() == 32
    assert summary.notes and "5 demo courses" in summary.notes[0]


def test_it_is_idempotent(cast, summary):
    demo_courses(cast)
    extend_demo(summary)
    count = Administration.objects.count()
    extend_demo(summary)
    assert Administration.objects.count() == count
    assert Alert.objects.count() == 3


def test_it_spreads_a_total_over_the_items_without_exceeding_three():
    for total in range(25):
        answers = spread(total, PHQ9_ORDER, {})
        assert sum(answers.values()) == total and max(answers.values()) <= 3
    with pytest.raises(ValueError):
        spread(25, PHQ9_ORDER, {})
