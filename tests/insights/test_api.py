"""The insights API: supervisors read their team's figures; everyone else gets 403."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from tests.factories import make_alert, make_course_row, make_finished_row

pytestmark = pytest.mark.django_db

BASE = "/api/v1/insights"
PERIOD = {"start": "2026-01-01", "end": "2026-02-28"}
OPERATIONS = [
    "/supervision",
    "/supervision/alerts",
    "/supervision/courses/not_on_track",
    "/outcomes",
    "/outcomes.csv",
    "/outcomes.parquet",
]


@pytest.mark.parametrize("path", OPERATIONS)
@pytest.mark.parametrize("who", ["therapist", "client_user", "admin"])
def test_it_refuses_everyone_but_supervisors(cast, client, token_for, path, who):
    response = client.get(BASE + path, **token_for(getattr(cast, who)))
    assert response.status_code == 403
    assert "detail" in response.json()


@pytest.mark.parametrize("path", OPERATIONS)
def test_it_asks_for_a_token(client, path):
    assert client.get(BASE + path).status_code == 401


def test_it_reads_the_supervision_figures(team, client, token_for):
    make_course_row(therapist=team.therapist, not_on_track=True)
    make_course_row(therapist=team.outsider, not_on_track=True)
    body = client.get(BASE + "/supervision", **token_for(team.supervisor)).json()
    assert body["totals"]["not_on_track"] == 1
    names = [row["name"] for row in body["therapists"]]
    assert names == ["Colleague Cai", "Therapist Tom"]


def test_it_pages_the_alert_list_of_the_team_only(team, client, token_for):
    mine = make_course_row(therapist=team.therapist)
    theirs = make_course_row(therapist=team.outsider)
    alert = make_alert(course=mine, raised_at=timezone.now())
    make_alert(course=theirs, raised_at=timezone.now())
    body = client.get(BASE + "/supervision/alerts", **token_for(team.supervisor)).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["course_id"], item["therapist_name"]) == (
        alert.pk, mine.pk, "Therapist Tom",
    )  # fmt: skip


def test_it_pages_a_course_list(team, client, token_for):
    course = make_course_row(
        therapist=team.therapist, status="ended", ended_on=datetime.date(2026, 2, 1)
    )
    response = client.get(
        BASE + "/supervision/courses/no_review", {"limit": 5}, **token_for(team.supervisor)
    )
    assert response.json()["items"][0]["id"] == course.pk
    bad = client.get(BASE + "/supervision/courses/everything", **token_for(team.supervisor))
    assert bad.status_code == 422


def test_it_reports_outcomes_with_suppression(team, client, token_for):
    for _ in range(6):
        make_finished_row(
            therapist=team.therapist,
            ended_on=datetime.date(2026, 2, 3),
            caseness=True,
            recovered=True,
        )
    make_finished_row(therapist=team.therapist, ended_on=datetime.date(2026, 1, 3))
    body = client.get(BASE + "/outcomes", PERIOD, **token_for(team.supervisor)).json()
    assert body["scope"] == "team" and body["min_cell"] == 5
    jan, feb = body["rows"]
    assert feb["finished"] == 6 and feb["recovery_pct"] == 100.0
    assert jan["finished"] is None and "finished" in jan["suppressed"]


def test_it_refuses_bad_filters_with_a_reason(team, client, token_for):
    auth = token_for(team.supervisor)
    backwards = client.get(BASE + "/outcomes", {"start": "2026-03-01", "end": "2026-01-01"}, **auth)
    assert backwards.status_code == 400
    assert "end" in backwards.json()["errors"]
    unknown = client.get(BASE + "/outcomes", {"group": "week"}, **auth)
    assert unknown.status_code == 422
    other = client.get(BASE + "/outcomes", {"therapist": team.outsider.pk}, **auth)
    assert other.status_code == 400


def test_it_refuses_the_service_scope_when_switched_off(team, client, token_for, settings):
    settings.OPENIPT_SUPERVISORS_SEE_SERVICE_OUTCOMES = False
    response = client.get(BASE + "/outcomes", {"scope": "service"}, **token_for(team.supervisor))
    assert response.status_code == 403


def test_it_exports_csv_and_parquet(team, client, token_for):
    make_finished_row(therapist=team.therapist, ended_on=datetime.date(2026, 2, 3))
    auth = token_for(team.supervisor)
    as_csv = client.get(BASE + "/outcomes.csv", PERIOD | {"group": "format"}, **auth)
    assert as_csv["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert rows[-1]["key"] == "total" and rows[0]["key"] == "standard"
    as_parquet = client.get(BASE + "/outcomes.parquet", PERIOD, **auth)
    assert as_parquet.content[:4] == b"PAR1"


def test_it_documents_the_file_media_types(client):
    spec = client.get("/api/v1/openapi.json").json()
    ok = spec["paths"]["/api/v1/insights/outcomes.csv"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["text/csv"]
    assert "403" in spec["paths"]["/api/v1/insights/outcomes"]["get"]["responses"]
