"""Query budgets: every dashboard, list, report and export costs the same at any size.

Each page is measured over a small service and again after bulk-creating many more
courses of every kind; the counts must be identical and within the pinned budget. The
dashboard and the report are kept (`openipt.core.kept`), so each is measured twice: made
(the cache emptied first, as after a write) and kept (asked again, nothing written). The
100,000-course variant runs with OPENIPT_BIG_TESTS=1 (docs/deployment.md).
"""

from __future__ import annotations

import datetime
import itertools
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import clear_cache
from tests.insights.conftest import TODAY

pytestmark = pytest.mark.django_db

ENDED = datetime.date(2026, 2, 10)
QUERY = "start=2026-01-01&end=2026-02-28"
# Pinned budgets: the page's own queries on top of the session and user (2) and the read
# audit of the security area (5: savepoint, chain head, event, chain update, release).
BASE = 2 + 5
LISTS = ("alerts", "not_on_track", "past_contract", "measures_overdue", "no_review")
PAGES = {
    # The team, its open alerts and their courses, per-therapist counts, tasks, and the
    # top of four course lists (the alerts' top comes with the alerts).
    "/insights/": BASE + 9,
    # The team's ids, a count and a page.
    **{f"/insights/lists/{kind}/": BASE + 3 for kind in LISTS},
    # The therapist choices and the team's ids, then referrals, starts and endings (no
    # referrals by format or area), and therapist names when grouped by therapist. The
    # whole service needs no team.
    f"/insights/outcomes/?{QUERY}&group=month": BASE + 5,
    f"/insights/outcomes/?{QUERY}&group=therapist": BASE + 6,
    f"/insights/outcomes/?{QUERY}&group=format": BASE + 4,
    f"/insights/outcomes/?{QUERY}&group=area": BASE + 4,
    f"/insights/outcomes/?{QUERY}&scope=service": BASE + 4,
    f"/insights/outcomes.csv?{QUERY}": BASE + 5,
    f"/insights/outcomes.parquet?{QUERY}&group=therapist": BASE + 6,
}
# The API signs in by token (its lookup and its last-used stamp replace the session's two).
API = {
    "/api/v1/insights/supervision": BASE + 4,
    "/api/v1/insights/supervision/alerts": BASE + 3,
    "/api/v1/insights/supervision/courses/measures_overdue": BASE + 3,
    f"/api/v1/insights/outcomes?{QUERY}&group=area": BASE + 3,
    f"/api/v1/insights/outcomes.csv?{QUERY}": BASE + 4,
}


# Kept: the permission checks and the team (and the filter form's therapists) only.
KEPT_PAGES = {
    "/insights/": BASE + 1,
    f"/insights/outcomes/?{QUERY}&group=month": BASE + 2,
    f"/insights/outcomes/?{QUERY}&group=therapist": BASE + 2,
    f"/insights/outcomes/?{QUERY}&scope=service": BASE + 1,
    f"/insights/outcomes.csv?{QUERY}": BASE + 2,
    f"/insights/outcomes.parquet?{QUERY}&group=therapist": BASE + 2,
}
KEPT_API = {
    "/api/v1/insights/supervision": BASE + 1,
    f"/api/v1/insights/outcomes?{QUERY}&group=area": BASE + 1,
    f"/api/v1/insights/outcomes.csv?{QUERY}": BASE + 1,
}


_batches = itertools.count()
CHUNK = 10_000


def populate(team, count: int, batch: int = 2000) -> None:
    """Bulk-create `count` courses for the team, five kinds in turn, with what they need."""
    for start in range(0, count, CHUNK):  # in chunks, so 100,000 courses fit in memory
        populate_for([team.therapist, team.colleague], min(CHUNK, count - start), batch=batch)


def populate_for(therapists, count: int, *, batch: int = 2000, spread: bool = False) -> None:
    """Bulk-create courses of five kinds with alerts, tasks and reviews; `spread` endings.

    Spread endings fall over six years, so that one period selects a small share of them.
    """
    from django.apps import apps

    from openipt.clients.models import Client
    from openipt.courses.models import Course, TaskCompletion, TerminationReview
    from openipt.insights.supervision import required_initial_tasks

    width, tag = len(therapists), next(_batches)
    clients = Client.objects.bulk_create(
        [
            Client(
                name=f"Bulk {i}",
                record_number=f"B{tag}-{i}",
                primary_therapist=therapists[i % width],
            )
            for i in range(count)
        ],
        batch_size=batch,
    )  # one client per course, as in a real service
    courses = [_course(i, therapists[i % width], clients[i]) for i in range(count)]
    for index, course in enumerate(courses):
        if spread and course.ended_on:
            course.ended_on = datetime.date(2020 + index % 6, 1 + index % 12, 10)
    made = Course.objects.bulk_create(courses, batch_size=batch)
    alert, now = apps.get_model("assessments", "Alert"), timezone.now()
    # As in a service, most alerts have been resolved: one in four is still open.
    alerts = [
        alert(course=c, instrument="phq9", version="1", item="9", value=1, raised_at=now,
              raised_by=c.therapist, status="open" if index % 4 == 0 else "resolved")
        for index, c in enumerate(made) if c.not_on_track
    ]  # fmt: skip
    alert.objects.bulk_create(alerts, batch_size=batch)
    task = required_initial_tasks()["standard"][0]
    tasks = [
        TaskCompletion(course=c, task_id=task, completed_on=TODAY, recorded_by=c.therapist)
        for c in made if c.sessions_attended > c.planned_sessions
    ]  # fmt: skip
    TaskCompletion.objects.bulk_create(tasks, batch_size=batch)
    reviews = [
        TerminationReview(course=c, reviewed_on=TODAY, recorded_by=c.therapist)
        for index, c in enumerate(made) if c.finished and index % 2
    ]  # fmt: skip
    TerminationReview.objects.bulk_create(reviews, batch_size=batch)


def _course(index: int, therapist, client):
    from openipt.courses.models import Course

    kind = index % 5
    base = {"therapist": therapist, "client": client, "format": "standard", "planned_sessions": 8}
    base["started_on"] = datetime.date(2026, 1, 5)
    if kind == 0:
        return Course(**base, not_on_track=True, sessions_attended=3)
    if kind == 1:
        return Course(**base, sessions_attended=10)
    if kind == 2:
        return Course(**base, measure_due=True, frequency="weekly",
                      last_session_on=TODAY - datetime.timedelta(days=30))  # fmt: skip
    return Course(
        **base, status="ended", ended_on=ENDED, finished=kind == 4, sessions_attended=8,
        caseness=True, recovered=index % 3 == 0, reliably_improved=True,
        reliably_recovered=index % 3 == 0, reliably_deteriorated=False, responded=True,
        remitted=False,
    )  # fmt: skip


def counts(client, urls, *, kept: bool = False) -> dict[str, int]:
    """Return each page's queries, made from nothing (the cache emptied) or kept."""
    found = {}
    for url in urls:
        clear_cache()
        if kept:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        found[url] = len(queries)
    return found


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def _measure(team, client, urls, small: int, large: int, kept_urls: dict) -> None:
    populate(team, small)
    client.get(next(iter(urls)))  # a first request may set up shared rows (the audit chain)
    before = counts(client, urls), counts(client, kept_urls, kept=True)
    populate(team, large - small)
    after = counts(client, urls), counts(client, kept_urls, kept=True)
    assert after == before
    over = {url: n for url, n in after[0].items() if n > urls[url]}
    over |= {f"{url} (kept)": n for url, n in after[1].items() if n > kept_urls[url]}
    assert not over, f"over budget: {over}"


@pytest.mark.parametrize(("small", "large"), [(5, 50), (10, 1000)])
def test_it_keeps_every_page_within_its_flat_budget(team, login, today, small, large):
    _measure(team, login(team.supervisor), PAGES, small, large, KEPT_PAGES)


@pytest.mark.parametrize(("small", "large"), [(5, 50), (10, 1000)])
def test_it_keeps_every_api_operation_within_its_flat_budget(
    team, client, token_for, today, small, large
):
    from django.test import Client

    api = Client(**token_for(team.supervisor))
    _measure(team, api, API, small, large, KEPT_API)


@pytest.mark.skipif(
    os.environ.get("OPENIPT_BIG_TESTS") != "1", reason="set OPENIPT_BIG_TESTS=1 (slow)"
)
def test_it_keeps_the_budgets_with_100000_courses(team, login, today):
    _measure(team, login(team.supervisor), PAGES | API, 10, 100_000, KEPT_PAGES | KEPT_API)
