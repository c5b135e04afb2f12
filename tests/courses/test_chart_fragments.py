"""The course page draws no chart itself: its charts arrive afterwards, one request each.

Drawing a chart costs tens of milliseconds and the rest of the page a few, so the page sends
slots (htmx) that fetch the score chart, the daily log chart and, when opened, the closeness
circle and timeline. Each fragment checks the course's permissions like the page does.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from openipt.core import kept
from openipt.interpersonal import services as interpersonal
from openipt.portal.models import MoodEntry
from tests.factories import add_session, phq9_answers, run_course, score_session

pytestmark = pytest.mark.django_db


def fragments(course) -> dict[str, str]:
    return {
        "scores": f"/courses/{course.pk}/measures/chart/",
        "log": f"/portal/courses/{course.pk}/log-chart/",
        "inventory": f"/courses/{course.pk}/panel-charts/",
    }


@pytest.fixture
def full(cast, course):
    """A course with scores, a daily log and an inventory: every chart has something."""
    run_course(course=course, phq9_totals=[18, 14, 9], gad7_totals=[12, 10, 7])
    for days, mood in ((3, 4), (1, 6)):
        MoodEntry.objects.create(
            course=course, date=timezone.localdate() - dt.timedelta(days=days), mood=mood,
            contacts=2,
        )  # fmt: skip
    mum = interpersonal.add_person(cast.therapist, course, label="Mum", ring=1)
    interpersonal.add_event(
        cast.therapist, course, date=dt.date(2025, 9, 1), kind="death", person_id=mum.pk
    )
    return course


def test_the_course_page_sends_slots_and_draws_nothing(cast, login, full):
    html = login(cast.therapist).get(f"/courses/{full.pk}/").content.decode()
    assert "<svg" not in html
    slots = re.findall(r'hx-get="([^"]+)"', html)
    assert sorted(slots) == sorted(fragments(full).values())
    assert 'hx-trigger="toggle once"' in html  # circle and timeline only when opened
    assert "scores as a table" in html and "Mood and contacts by day" in html


def test_each_fragment_is_the_chart_the_page_would_have_drawn(cast, login, full):
    client = login(cast.therapist)
    answers = {name: client.get(url) for name, url in fragments(full).items()}
    assert all(a.status_code == 200 for a in answers.values())
    scores = answers["scores"].content.decode()
    assert scores.count("<svg") == 1 and "PHQ-9 scores" in scores
    assert answers["log"].content.decode().count("<svg") == 1
    inventory = answers["inventory"].content.decode()
    assert inventory.count("<svg") == 2 and "Circle with its table" in inventory


def test_a_fragment_says_so_when_there_is_nothing_to_draw(cast, login, course):
    client = login(cast.therapist)
    assert "No scores yet." in client.get(fragments(course)["scores"]).content.decode()
    log = client.get(fragments(course)["log"]).content.decode()
    assert "No entries in the last four weeks." in log and "<svg" not in log
    inventory = client.get(fragments(course)["inventory"]).content.decode()
    assert "No people or events yet." in inventory


def test_the_supervisor_may_read_the_fragments(cast, login, full):
    client = login(cast.supervisor)
    for url in fragments(full).values():
        assert client.get(url).status_code == 200


def test_a_fragment_only_reads(cast, login, full):
    client = login(cast.therapist)
    for url in fragments(full).values():
        assert client.post(url).status_code == 405


@pytest.mark.parametrize("name", ["scores", "log", "inventory"])
def test_no_one_else_reaches_a_fragment(cast, login, client, full, name):
    url = fragments(full)[name]
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.client_user).get(url).status_code == 403
    assert login(cast.admin).get(url).status_code == 403


def test_the_course_page_costs_the_same_queries_with_more_history(
    cast, login, course, django_assert_max_num_queries
):
    client = login(cast.therapist)
    run_course(course=course, phq9_totals=[18, 16])
    client.get(f"/courses/{course.pk}/")  # warm the per-process caches first
    kept.changed([kept.course_scope(course.pk)])  # the page's body is made again
    with django_assert_max_num_queries(40) as few:
        client.get(f"/courses/{course.pk}/")
    for number, total in enumerate([15, 13, 12, 11, 10, 9, 8], start=3):
        score_session(
            session=add_session(course=course, number=number),
            instrument="phq9",
            answers=phq9_answers(total=total),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/courses/{course.pk}/")


def test_an_unchanged_course_page_costs_the_access_check_alone(
    cast, login, course, django_assert_num_queries
):
    client = login(cast.therapist)
    run_course(course=course, phq9_totals=[18, 16])
    client.get(f"/courses/{course.pk}/")
    # The signed-in user, the course with its client and therapist, the pending read.
    with django_assert_num_queries(3):
        response = client.get(f"/courses/{course.pk}/")
    assert b"Agenda for session 3" in response.content
