"""Kept dashboards and reports: never stale, never another supervisor's, never an access
decision.

The supervision dashboard and the outcome report are kept in the shared cache
(`openipt.core.kept`) under the scopes of the records they count. Each test warms the cache
first, proves the second read is kept (it costs only the team's query), then writes through
the product's own services and reads again: the write must show at once.
"""

from __future__ import annotations

import datetime
import pickle

import pytest
from django.urls import reverse
from django.utils import timezone

from openipt.insights import services
from openipt.insights.outcomes import Filters
from tests.factories import make_client, make_course, make_course_row, run_sessions

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("insights:dashboard")
OUTCOMES = reverse("insights:outcomes")
PAGES = [
    DASHBOARD,
    reverse("insights:list", args=["alerts"]),
    OUTCOMES,
    reverse("insights:outcomes_csv"),
    reverse("insights:outcomes_parquet"),
]
API = ["/api/v1/insights/supervision", "/api/v1/insights/outcomes"]


@pytest.fixture(autouse=True)
def _every_count_shown(settings):
    """Show counts from 1, so that one new course or client changes a visible figure."""
    settings.OPENIPT_OUTCOMES_MIN_CELL = 1


def board(user):
    return services.supervision_dashboard(user)


def row_of(found, therapist):
    return next(row for row in found.therapists if row.therapist.pk == therapist.pk)


def period() -> Filters:
    today = timezone.localdate()
    return Filters(start=today - datetime.timedelta(days=60), end=today)


def as_filters(**values) -> Filters:
    values = period().as_dict() | values
    values["start"] = datetime.date.fromisoformat(str(values["start"]))
    values["end"] = datetime.date.fromisoformat(str(values["end"]))
    return Filters(**values)


def kept_report(user, scope="team", **filters):
    return services.outcome_report(user, as_filters(**filters), scope)


def assert_kept(django_assert_num_queries, read, queries: int = 1):
    """Read twice: the second read is kept (only the team is read again)."""
    read()
    with django_assert_num_queries(queries):
        return read()


# --- the dashboard --------------------------------------------------------------------------


def test_it_shows_a_new_risk_alert_on_the_next_dashboard(team, cast, django_assert_num_queries):
    from openipt.assessments.services import raise_risk_alerts

    course = make_course(client=cast.client, therapist=team.therapist, via="service")
    found = assert_kept(django_assert_num_queries, lambda: board(team.supervisor))
    assert found.totals["open_alerts"] == 0
    raise_risk_alerts(team.therapist, course, "phq9", {"9": 2}, completed_by="clinician")
    found = board(team.supervisor)
    assert found.totals["open_alerts"] == 1
    assert row_of(found, team.therapist).open_alerts == 1
    assert [alert.course_id for alert in found.previews["alerts"]] == [course.pk]


def test_it_shows_a_recorded_session_on_the_next_dashboard(team, cast, django_assert_num_queries):
    course = make_course(client=cast.client, therapist=team.therapist, via="service")
    found = assert_kept(django_assert_num_queries, lambda: board(team.supervisor))
    assert row_of(found, team.therapist).past_initial == 0
    run_sessions(actor=team.therapist, course=course, count=3)  # past the initial phase
    assert row_of(board(team.supervisor), team.therapist).past_initial == 1


def test_it_shows_an_ended_course_on_the_next_dashboard_and_report(
    team, cast, django_assert_num_queries
):
    from openipt.courses.services import record_termination

    course = make_course(client=cast.client, therapist=team.therapist, via="service")
    run_sessions(actor=team.therapist, course=course, count=2)
    found = assert_kept(django_assert_num_queries, lambda: board(team.supervisor))
    assert (found.totals["active"], found.totals["no_review"]) == (1, 0)
    reports = {
        "team": assert_kept(django_assert_num_queries, lambda: kept_report(team.supervisor)),
        "service": assert_kept(
            django_assert_num_queries, lambda: kept_report(team.supervisor, "service"), 0
        ),
        "therapist": kept_report(team.supervisor, therapist=team.therapist.pk),
    }
    assert {name: found["total"]["ended"] for name, found in reports.items()} == dict.fromkeys(
        reports, 0
    )
    record_termination(team.therapist, course, decision="referral", detail="CMHT")
    assert board(team.supervisor).totals["active"] == 0
    assert kept_report(team.supervisor)["total"]["ended"] == 1
    assert kept_report(team.supervisor, "service")["total"]["ended"] == 1
    assert kept_report(team.supervisor, therapist=team.therapist.pk)["total"]["ended"] == 1


def test_it_shows_a_renamed_therapist_on_the_next_dashboard_and_report(team, login):
    make_course_row(therapist=team.therapist, not_on_track=True)
    c = login(team.supervisor)
    assert "Therapist Tom" in c.get(DASHBOARD).content.decode()
    names = [row["label"] for row in kept_report(team.supervisor, group="therapist")["rows"]]
    team.therapist.display_name = "Tomas Renamed"
    team.therapist.save()
    page = c.get(DASHBOARD).content.decode()
    assert "Tomas Renamed" in page and "Therapist Tom" not in page
    renamed = [row["label"] for row in kept_report(team.supervisor, group="therapist")["rows"]]
    assert renamed == ["Tomas Renamed" if n == "Therapist Tom" else n for n in names]


def test_a_sign_in_leaves_the_kept_dashboard_in_place(team, django_assert_num_queries):
    from django.contrib.auth.models import update_last_login

    board(team.supervisor)
    update_last_login(None, team.therapist)  # what signing in saves: last_login only
    with django_assert_num_queries(1):
        board(team.supervisor)


# --- the report -----------------------------------------------------------------------------


def test_it_counts_a_new_client_without_a_course_on_the_next_report(
    team, django_assert_num_queries
):
    from openipt.clients.services import create_client

    before = {
        scope: assert_kept(
            django_assert_num_queries,
            lambda s=scope: kept_report(team.supervisor, s),
            0 if scope == "service" else 1,
        )["total"]["referrals"]
        for scope in ("team", "service")
    }
    one = kept_report(team.supervisor, therapist=team.colleague.pk)["total"]["referrals"]
    create_client(team.colleague, name="Nora New")
    after = {s: kept_report(team.supervisor, s)["total"]["referrals"] for s in before}
    assert after == {scope: n + 1 for scope, n in before.items()}
    assert kept_report(team.supervisor, therapist=team.colleague.pk)["total"]["referrals"] == (
        one + 1
    )


def test_it_stops_counting_an_erased_client_in_the_team_report(team):
    from openipt.privacy.erasure import erase_client

    client = make_client(therapist=team.colleague, name="Ena Erased")
    before = kept_report(team.supervisor)["total"]["referrals"]
    erase_client(team.colleague, client, "asked to be forgotten")
    assert kept_report(team.supervisor)["total"]["referrals"] == before - 1


# --- whose figures --------------------------------------------------------------------------


def test_each_supervisor_reads_their_own_kept_dashboard(team, login):
    for _ in range(2):
        make_course_row(therapist=team.therapist, not_on_track=True)
    make_course_row(therapist=team.outsider, not_on_track=True)
    for _ in range(2):  # the second round is read from the cache
        for supervisor, mine, theirs, count in (
            (team.supervisor, "Therapist Tom", "Other Olga", 2),
            (team.other_supervisor, "Other Olga", "Therapist Tom", 1),
        ):
            assert board(supervisor).totals["not_on_track"] == count
            page = login(supervisor).get(DASHBOARD).content.decode()
            assert mine in page and theirs not in page


def test_each_supervisor_reads_their_own_kept_report(team, login):
    for therapist, n in ((team.therapist, 3), (team.outsider, 2)):
        for _ in range(n):
            make_course_row(therapist=therapist, started_on=timezone.localdate())
    for _ in range(2):
        assert kept_report(team.supervisor)["total"]["started"] == 3
        assert kept_report(team.other_supervisor)["total"]["started"] == 2
        # The whole service is one report for everyone.
        assert kept_report(team.other_supervisor, "service")["total"]["started"] == 5


# --- access, with warm caches ---------------------------------------------------------------


@pytest.fixture
def warm(team, login, client, token_for):
    """Every page and operation, kept for the team's supervisor."""
    make_course_row(therapist=team.therapist, not_on_track=True)
    c = login(team.supervisor)
    for url in PAGES:
        assert c.get(url).status_code == 200
    auth = token_for(team.supervisor)
    for path in API:
        assert client.get(path, **auth).status_code == 200
    client.logout()
    return team


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["therapist", "client_user", "admin"])
def test_it_refuses_everyone_else_with_warm_caches(warm, cast, login, url, who):
    assert login(getattr(cast, who)).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_users_to_sign_in_with_warm_caches(warm, client, url):
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("path", API)
@pytest.mark.parametrize("who", ["therapist", "client_user", "admin"])
def test_the_api_refuses_everyone_else_with_warm_caches(warm, cast, client, token_for, path, who):
    assert client.get(path, **token_for(getattr(cast, who))).status_code == 403


def test_it_refuses_another_supervisor_the_team_report_with_warm_caches(warm, login, token_for):
    c = login(warm.other_supervisor)
    query = {"therapist": warm.therapist.pk}
    assert "There is a problem" in c.get(OUTCOMES, query).content.decode()
    assert c.get(reverse("insights:outcomes_csv"), query).status_code == 400
    api = c.get("/api/v1/insights/outcomes", query, **token_for(warm.other_supervisor))
    assert api.status_code == 400
    assert "Therapist Tom" not in c.get(DASHBOARD).content.decode()


def test_it_answers_404_for_an_unknown_list_with_warm_caches(warm, login):
    assert login(warm.supervisor).get("/insights/lists/everything/").status_code == 404


# --- what is kept ---------------------------------------------------------------------------


def test_it_keeps_plain_data_that_reads_back_without_a_query(team, cast, django_assert_num_queries):
    from openipt.assessments.services import raise_risk_alerts

    course = make_course(client=cast.client, therapist=team.therapist, via="service")
    raise_risk_alerts(team.therapist, course, "phq9", {"9": 2}, completed_by="clinician")
    make_course_row(therapist=team.colleague, status="ended", ended_on=timezone.localdate())
    found = pickle.loads(pickle.dumps(board(team.supervisor)))
    with django_assert_num_queries(0):
        names = [str(row.therapist) for row in found.therapists]
        alert = found.previews["alerts"][0]
        cells = (alert.client_name, alert.therapist_name, alert.raised_at)
        review = found.previews["no_review"][0]
        cells += (review.client_name, review.therapist_name, review.ended_on)
    assert names == ["Colleague Cai", "Therapist Tom"]
    assert cells[:2] == ("Carla Client", "Therapist Tom")
    assert review.therapist_name == "Colleague Cai"
