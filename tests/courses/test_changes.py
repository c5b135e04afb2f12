"""Kept pages are never stale: a write through any path shows on the next read.

Each test reads the pages first (so they are kept), writes through one way in (web form,
API, portal, command line), and reads again. tests/core/test_kept.py tests the mechanism;
this file tests that every way of writing reaches it, and that no model escapes it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from django.apps import apps
from django.test import Client
from typer.testing import CliRunner

from openipt.cli import app as cli_app
from openipt.courses import changes, services
from openipt.courses.models import Course
from tests.factories import phq9_answers, run_sessions, today

API = "/api/v1"


def _read(client, course):
    """Read the course page, its score chart and the caseload; return their text."""
    page = client.get(f"/courses/{course.pk}/").content.decode()
    chart = client.get(f"/courses/{course.pk}/measures/chart/").content.decode()
    caseload = client.get("/courses/").content.decode()
    return page, chart, caseload


def _agenda_number(page: str) -> int:
    return int(re.search(r"Agenda for session (\d+)", page).group(1))


def test_it_shows_a_session_recorded_on_the_web_form_at_once(cast, login, course):
    client = login(cast.therapist)
    before, _, caseload = _read(client, course)
    assert _agenda_number(before) == 1 and "1 of " in caseload
    response = client.post(
        f"/courses/{course.pk}/sessions/new/",
        {"date": today().isoformat(), "attendance": "attended", "modality": "in_person"},
    )
    assert response.status_code == 302
    after, _, caseload = _read(client, course)
    assert _agenda_number(after) == 2 and "2 of " in caseload


def test_it_shows_a_session_recorded_through_the_api_at_once(cast, login, course, token_for):
    client = login(cast.therapist)
    _read(client, course)
    response = client.post(
        f"{API}/courses/{course.pk}/sessions",
        json.dumps({"date": today().isoformat(), "attendance": "attended"}),
        content_type="application/json",
        **token_for(cast.therapist),
    )
    assert response.status_code == 201, response.content
    page, _, caseload = _read(client, course)
    assert _agenda_number(page) == 2 and "2 of " in caseload


def test_it_draws_the_chart_again_after_a_score_through_the_api(cast, login, course, token_for):
    client = login(cast.therapist)
    run_sessions(actor=cast.therapist, course=course, count=1)
    first = client.get(f"/courses/{course.pk}/measures/chart/")
    assert "No scores yet" in first.content.decode()
    response = client.post(
        f"{API}/courses/{course.pk}/assessments",
        json.dumps({"instrument": "phq9", "answers": phq9_answers(total=17)}),
        content_type="application/json",
        **token_for(cast.therapist),
    )
    assert response.status_code == 201, response.content
    again = client.get(f"/courses/{course.pk}/measures/chart/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "<svg" in again.content.decode()


def test_it_shows_a_risk_answer_given_in_the_portal_on_the_therapists_pages(cast, login, course):
    staff = login(cast.therapist)
    page, _, caseload = _read(staff, course)
    assert "open alert" not in page and "open alert" not in caseload
    client = Client()  # the client's own phone, beside the therapist's browser
    client.force_login(cast.client_user, backend="django.contrib.auth.backends.ModelBackend")
    client.post("/portal/questionnaires/phq9/")  # start it
    response = client.post("/portal/questionnaires/phq9/9/", {"item_9": "2"})
    assert response.status_code == 302, response.content
    page, _, caseload = _read(staff, course)
    assert "1 open alert" in page and "1 open alert" in caseload


def test_it_shows_a_mood_entry_from_the_portal_in_the_daily_log_chart(
    cast, login, course, token_for
):
    staff = login(cast.therapist)
    url = f"/portal/courses/{course.pk}/log-chart/"
    assert "No entries" in staff.get(url).content.decode()
    response = Client().put(
        f"{API}/portal/mood/today",
        json.dumps({"mood": 6, "contacts": 2, "note": "Choir"}),
        content_type="application/json",
        **token_for(cast.client_user),
    )
    assert response.status_code == 200, response.content
    assert "<svg" in staff.get(url).content.decode()


def test_it_shows_summaries_recomputed_on_the_command_line(cast, login, course):
    client = login(cast.therapist)
    run_sessions(actor=cast.therapist, course=course, count=2)
    _read(client, course)
    # Columns gone wrong (an upgrade that changed a rule, say): the CLI recomputes them.
    Course.objects.filter(pk=course.pk).update(sessions_attended=0)
    result = CliRunner().invoke(cli_app, ["summaries", "refresh", "--course", str(course.pk)])
    assert result.exit_code == 0, result.output
    page, _, _ = _read(client, course)
    assert _agenda_number(page) == 3


def test_it_shows_a_renamed_client_on_the_kept_pages(cast, login, course):
    client = login(cast.therapist)
    _read(client, course)
    response = client.post(
        f"/clients/{cast.client.pk}/edit/", {"name": "Carla Renamed", "record_number": "R-1"}
    )
    assert response.status_code == 302
    page, _, caseload = _read(client, course)
    assert "Carla Renamed" in page and "Carla Renamed" in caseload


def test_it_shows_the_next_day_without_any_write(cast, login, course, monkeypatch):
    from django.utils import timezone

    client = login(cast.therapist)
    first = client.get(f"/courses/{course.pk}/measures/chart/")["ETag"]
    tomorrow = today() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert client.get(f"/courses/{course.pk}/measures/chart/")["ETag"] != first


def test_it_keeps_the_readers_and_the_owners_pages_apart(cast, login, course):
    owner = login(cast.therapist).get(f"/courses/{course.pk}/").content.decode()
    reader = login(cast.supervisor).get(f"/courses/{course.pk}/").content.decode()
    assert "Record session 1" in owner
    assert "Record session 1" not in reader and "You can read this course" in reader


def test_it_fills_each_kept_form_with_the_readers_own_csrf_token(cast, login, course):
    from openipt.core.templatetags.kept_tags import CSRF_PLACEHOLDER

    first = login(cast.therapist).get(f"/courses/{course.pk}/").content.decode()
    second = login(cast.therapist).get(f"/courses/{course.pk}/").content.decode()
    assert CSRF_PLACEHOLDER not in first + second
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', second)
    assert tokens and all(token == tokens[0] for token in tokens)


def test_it_answers_304_only_after_the_access_check_and_records_the_read(cast, login, course):
    from openipt.audit.models import AccessEvent
    from openipt.audit.services import chain_pending

    url = f"/courses/{course.pk}/measures/chart/"
    etag = login(cast.therapist).get(url)["ETag"]
    assert login(cast.therapist).get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert login(cast.outsider).get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404
    chain_pending()
    statuses = list(
        AccessEvent.objects.filter(course_id=course.pk).values_list("status", flat=True)
    )
    assert sorted(statuses) == [200, 304]


def test_it_watches_every_model_that_holds_part_of_a_course_or_client():
    watched = changes.watched()
    missing = [
        model._meta.label_lower
        for model in apps.get_models()
        if model._meta.app_label in changes.HEALTH_APPS and model._meta.label_lower not in watched
    ]
    assert missing == [], "These models' writes would not change the kept pages: " + str(missing)
    assert watched["assessments.itemanswer"] == "course via administration.course"
    assert watched["clients.client"] == "client via pk"


def test_it_names_the_course_a_written_row_belongs_to(cast, course):
    assert changes.path_to_course(Course) == ()
    focus = services.set_focus(cast.therapist, course, [{"area": "grief"}])
    assert focus is not None
