"""What a session save and a questionnaire submit cost in queries, pinned (issue 13).

The course is the benchmark's (bench/locustfile.py): in the middle phase, with a contract,
a focus, five sessions and a PHQ-9 and a GAD-7 at the last three; the bodies are the
benchmark's. Before issue 13 the API calls made 31 and 20 queries. Every count below is
exact and the same on SQLite and PostgreSQL; it includes what the test's transaction adds
(a SAVEPOINT and its RELEASE around a service's own transaction, which in production is
the outermost one and sends neither), and, because this service has no finished course,
one read of the finished courses for the expected-change curves (a service with enough of
them keeps the fitted curves in the cache for hours, and reads nothing).

Session save through the API (15):
  API token read and its last use (2), the course read for access (1), SAVEPOINT (1), the
  course locked and read with the previous session's date and the summary's facts (1), the
  session INSERT (1), the portal's task sync (SAVEPOINT, 2 reads, RELEASE: 4), the write
  audit's INSERT (1), the finished courses for the curves (1), the course's summary UPDATE
  (1), RELEASE (1), the access audit's pending read (1).
Questionnaire submit through the API (10):
  API token (2), the course read for access (1), the course locked and read with the
  summary's facts (1), the administration INSERT, its write audit INSERT and the item
  answers' INSERT (3), the finished courses for the curves (1), the summary UPDATE (1), the
  access audit's pending read (1).
The web forms make the same writes, signed in by a session cookie instead of a token; the
session form also reads the focus and the tasks for its agenda and saves the message it
shows next in the session (a SAVEPOINT, an UPDATE and a RELEASE); the PHQ-9 form reads the
sessions the questionnaire may be linked to.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from openipt.assessments.services import submit_assessment
from openipt.courses.models import Course
from tests.factories import (
    agree_contract,
    choose_grief_focus,
    gad7_answers,
    make_course,
    phq9_answers,
    run_sessions,
    today,
)

pytestmark = pytest.mark.django_db

SESSION_SAVE = 15  # 31 before issue 13
QUESTIONNAIRE_SUBMIT = 10  # 20 before issue 13
SESSION_FORM = 18  # 34 before issue 13
PHQ9_FORM = 12  # 22 before issue 13


@pytest.fixture
def middle(cast) -> Course:
    """A course in the middle phase: contract, focus, 5 sessions, scores at the last three."""
    course = make_course(
        client=cast.client,
        therapist=cast.therapist,
        via="service",
        planned_sessions=None,
        started_on=today() - timedelta(days=200),
    )
    agree_contract(actor=cast.therapist, course=course)
    choose_grief_focus(actor=cast.therapist, course=course)
    for session in run_sessions(actor=cast.therapist, course=course, count=5)[-3:]:
        for code, answers in (("phq9", phq9_answers(total=14)), ("gad7", gad7_answers(total=9))):
            submit_assessment(cast.therapist, course, code, answers, session=session)
    course.refresh_from_db()
    assert course.sessions_attended == 5 and course.primary_area == "grief"
    return course


@pytest.fixture
def api(client, cast, middle, token_for):
    """Return a caller of the course's API with the therapist's token, used once already."""
    headers = token_for(cast.therapist)
    base = f"/api/v1/courses/{middle.pk}"
    assert client.get(base, **headers).status_code == 200

    def _post(path: str, body: dict) -> dict:
        response = client.post(
            base + path, json.dumps(body), content_type="application/json", **headers
        )
        assert response.status_code == 201, response.content
        return response.json()

    return _post


def _phq9_body() -> dict:
    answers = {str(item): value for item, value in enumerate([2, 1, 1, 2, 0, 1, 2, 1], start=1)}
    return {"instrument": "phq9", "answers": answers | {"9": 0}}


def test_a_session_save_through_the_api(api, middle, django_assert_num_queries):
    with django_assert_num_queries(SESSION_SAVE):
        body = api("/sessions", {"date": today().isoformat(), "attendance": "attended"})
    assert body["number"] == 6


def test_a_missed_session_through_the_api_costs_no_summary_work(
    api, middle, django_assert_num_queries
):
    # No curves read: a missed session changes no summary column (its UPDATE only marks the
    # course row changed, for a concurrent locked read; see `summary.lock`).
    with django_assert_num_queries(SESSION_SAVE - 1):
        api("/sessions", {"date": today().isoformat(), "attendance": "cancelled"})
    middle.refresh_from_db()
    assert middle.sessions_attended == 5


def test_a_questionnaire_submit_through_the_api(api, middle, django_assert_num_queries):
    with django_assert_num_queries(QUESTIONNAIRE_SUBMIT):
        body = api("/assessments", _phq9_body())
    assert body["total"] == 10 and body["alerts"] == []


def test_the_session_form(cast, login, middle, django_assert_num_queries):
    client = login(cast.therapist)
    url = f"/courses/{middle.pk}/sessions/new/"
    assert client.get(url).status_code == 200
    data = {"date": today().isoformat(), "attendance": "attended", "modality": "in_person"}
    with django_assert_num_queries(SESSION_FORM):
        response = client.post(url, data)
    assert response.status_code == 302
    assert middle.sessions.filter(number=6, attendance="attended").exists()


def test_the_phq9_form(cast, login, middle, django_assert_num_queries):
    client = login(cast.therapist)
    url = f"/courses/{middle.pk}/measures/new/phq9/"
    assert client.get(url).status_code == 200
    answers = _phq9_body()["answers"]
    data = {f"item_{item}": value for item, value in answers.items()}
    data |= {"session": "", "completed_by": "clinician"}  # session 5 has its PHQ-9 already
    with django_assert_num_queries(PHQ9_FORM):
        response = client.post(url, data)
    assert response.status_code == 302, response.content
    middle.refresh_from_db()
    assert middle.phq9_last == 10
