"""The dashboard, list and outcome pages and their exports: who sees what, and what they see."""

from __future__ import annotations

import csv
import datetime
import io

import duckdb
import pytest
from django.urls import reverse

from tests.factories import make_course_row, make_finished_row

pytestmark = pytest.mark.django_db

FEB = datetime.date(2026, 2, 10)
PERIOD = {"start": "2026-01-01", "end": "2026-02-28"}
PAGES = [
    reverse("insights:dashboard"),
    reverse("insights:list", args=["alerts"]),
    reverse("insights:list", args=["no_review"]),
    reverse("insights:outcomes"),
    reverse("insights:outcomes_csv"),
    reverse("insights:outcomes_parquet"),
]


def recovered(therapist, n=1):
    return [
        make_finished_row(
            therapist=therapist,
            ended_on=FEB,
            caseness=True,
            recovered=True,
            reliably_improved=True,
            reliably_recovered=True,
            reliably_deteriorated=False,
            responded=True,
            remitted=True,
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["therapist", "client_user", "admin"])
def test_it_refuses_every_page_to_anyone_but_a_supervisor(cast, login, url, who):
    assert login(getattr(cast, who)).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_users_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_sends_a_supervisor_home_to_the_dashboard(cast, login):
    response = login(cast.supervisor).get(reverse("home"))
    assert response["Location"] == reverse("insights:dashboard")


def test_it_shows_the_dashboard_with_links_to_each_course(team, login):
    course = make_course_row(therapist=team.therapist, not_on_track=True)
    page = login(team.supervisor).get(reverse("insights:dashboard")).content.decode()
    assert "Courses not on track" in page
    assert reverse("courses:detail", args=[course.pk]) in page
    assert "Therapist Tom" in page and "Colleague Cai" in page
    assert 'style="' not in page  # the CSP forbids inline styles
    assert "<script>" not in page


def test_it_hides_another_supervisors_team(team, login):
    course = make_course_row(
        therapist=team.outsider, not_on_track=True, status="ended", ended_on=FEB
    )
    c = login(team.supervisor)
    for url in [reverse("insights:dashboard"), reverse("insights:list", args=["no_review"])]:
        page = c.get(url).content.decode()
        assert reverse("courses:detail", args=[course.pk]) not in page
        assert "Other Olga" not in page


def test_it_pages_a_full_list(team, login):
    for _ in range(30):
        make_course_row(therapist=team.therapist, status="ended", ended_on=FEB)
    c = login(team.supervisor)
    first = c.get(reverse("insights:list", args=["no_review"])).content.decode()
    assert "Page 1 of 2" in first and "30 courses" in first
    assert (
        "Page 2 of 2"
        in c.get(reverse("insights:list", args=["no_review"]), {"page": 2}).content.decode()
    )
    dashboard = c.get(reverse("insights:dashboard")).content.decode()
    assert "See all 30" in dashboard


def test_it_answers_404_for_an_unknown_list(cast, login):
    assert login(cast.supervisor).get("/insights/lists/everything/").status_code == 404


def test_it_shows_outcomes_with_charts_and_tables(team, login):
    recovered(team.therapist, 6)
    page = login(team.supervisor).get(reverse("insights:outcomes"), PERIOD).content.decode()
    assert page.count("<svg") == 2
    assert page.count('role="img"') == 2
    assert "Feb 2026" in page
    assert "100.0% (6 of 6)" in page
    assert 'style="' not in page


def test_it_shows_a_bare_outcomes_page_for_the_last_twelve_months(cast, login):
    page = login(cast.supervisor).get(reverse("insights:outcomes")).content.decode()
    assert page.count("<svg") == 2


def test_it_explains_bad_filters_in_the_error_summary(cast, login):
    response = login(cast.supervisor).get(
        reverse("insights:outcomes"), {"start": "2026-03-01", "end": "2026-01-01"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "must not be before its start" in page
    assert "<svg" not in page


def test_it_hides_small_numbers_on_the_page(team, login):
    recovered(team.therapist, 2)
    page = login(team.supervisor).get(reverse("insights:outcomes"), PERIOD).content.decode()
    assert "&lt;5" in page
    assert "hidden" in page


def test_it_keeps_team_outcomes_to_the_team(team, login):
    recovered(team.outsider, 6)
    c = login(team.supervisor)
    team_page = c.get(reverse("insights:outcomes"), PERIOD).content.decode()
    assert "(6 of 6)" not in team_page
    service = c.get(reverse("insights:outcomes"), PERIOD | {"scope": "service"})
    assert "(6 of 6)" in service.content.decode()


def test_it_refuses_the_service_scope_when_the_service_switches_it_off(team, login, settings):
    settings.OPENIPT_SUPERVISORS_SEE_SERVICE_OUTCOMES = False
    c = login(team.supervisor)
    page = c.get(reverse("insights:outcomes"), PERIOD | {"scope": "service"}).content.decode()
    assert "There is a problem" in page
    csv_response = c.get(reverse("insights:outcomes_csv"), PERIOD | {"scope": "service"})
    assert csv_response.status_code == 400


def test_it_keeps_figures_by_therapist_to_the_own_team(team, login):
    c = login(team.supervisor)
    query = PERIOD | {"scope": "service", "group": "therapist"}
    page = c.get(reverse("insights:outcomes"), query).content.decode()
    assert "Figures by therapist cover your own team only." in page
    other = c.get(reverse("insights:outcomes"), PERIOD | {"therapist": team.outsider.pk})
    assert "There is a problem" in other.content.decode()


def test_it_exports_the_same_figures_as_csv(team, login):
    recovered(team.therapist, 6)
    response = login(team.supervisor).get(reverse("insights:outcomes_csv"), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["key"] for row in rows] == ["2026-01", "2026-02", "total"]
    feb = rows[1]
    assert (feb["finished"], feb["recovery"], feb["recovery_pct"]) == ("6", "6", "100.0")
    assert feb["scope"] == "team" and feb["period_start"] == "2026-01-01"


def test_it_exports_parquet_that_duckdb_reads_back(team, login, tmp_path):
    recovered(team.therapist, 6)
    response = login(team.supervisor).get(reverse("insights:outcomes_parquet"), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    path = tmp_path / "out.parquet"
    path.write_bytes(response.content)
    rows = duckdb.sql(
        f"SELECT key, finished, recovery_pct, ended FROM read_parquet('{path}') ORDER BY key"
    ).fetchall()
    assert rows[1] == ("2026-02", 6, 100.0, 6)
    assert rows[0][3] == 0


def test_it_escapes_names_that_a_spreadsheet_would_run(team, login):
    team.therapist.display_name = "=HYPERLINK(1)"
    team.therapist.save()
    recovered(team.therapist, 6)
    response = login(team.supervisor).get(
        reverse("insights:outcomes_csv"), PERIOD | {"group": "therapist"}
    )
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_it_refuses_a_bad_export_with_a_message(cast, login):
    response = login(cast.supervisor).get(reverse("insights:outcomes_csv"), {"group": "week"})
    assert response.status_code == 400
    assert "group" in response.content.decode()


def test_it_shows_supervisors_their_dashboard_links(cast, login):
    page = login(cast.supervisor).get(reverse("insights:dashboard")).content.decode()
    assert reverse("insights:outcomes") in page
    therapist_page = login(cast.therapist).get(reverse("clients:list")).content.decode()
    assert reverse("insights:outcomes") not in therapist_page
