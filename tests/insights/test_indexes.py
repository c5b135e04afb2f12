"""The dashboards' queries read through indexes, on SQLite and on PostgreSQL.

Method (docs/deployment.md, "Query budgets and indexes"): every SQL statement that the
dashboard, its lists and the outcome report run is captured with its parameters over a
service where the supervisor's team holds a few per cent of the courses, then explained.

- SQLite, after ANALYZE: `EXPLAIN QUERY PLAN` must show no `SCAN` of the big tables (courses,
  clients, alerts, task completions; a `SCAN ... USING INDEX` reads a whole index and counts
  too): each is reached by `SEARCH` on an index. Small tables (users) may be scanned.
- PostgreSQL, after ANALYZE: (1) left to itself, the planner must not choose a sequential
  scan of `courses_course` for the team's queries, which select a few per cent of it; and (2)
  with `enable_seqscan = off`, which only proves that a usable index exists, every scan of
  the big tables must be an index scan with an `Index Cond` (a full index scan without a
  condition counts as a failure). Turning sequential scans off is not a test of what the
  planner prefers; (1) is.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection, transaction

from openipt.insights import services, supervision
from openipt.insights.outcomes import GROUPS, Filters
from tests.factories import make_user
from tests.insights.test_budgets import populate, populate_for

pytestmark = pytest.mark.django_db

BIG = ("courses_course", "clients_client", "assessments_alert", "courses_taskcompletion")
# Enough courses that reading a whole table costs more than the indexes do: at a few
# thousand rows PostgreSQL rightly hash-joins whole tables, which says nothing about scale.
OTHERS = 20_000
PERIOD = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 2, 28)}


@pytest.fixture
def service(team):
    """The team's 100 courses among 20,000 of twenty other therapists, then ANALYZE."""
    from openipt.courses.models import Course

    populate(team, 100)
    others = [make_user(username=f"bulk{n}", role="therapist") for n in range(20)]
    populate_for(others, OTHERS, spread=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The method needs the team to be a small share of the service.
    share = supervision.team_courses(team.supervisor).count() / Course.objects.count()
    assert 0 < share < 0.02
    assert get_user_model().objects.filter(supervisor=team.supervisor).count() == 2
    return team


@pytest.fixture
def on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("runs on SQLite")


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL")


def capture(run) -> list[tuple[str, tuple]]:
    """Run `run` and return every statement it sent, with its parameters."""
    found: list[tuple[str, tuple]] = []

    def keep(execute, sql, params, many, context):
        found.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        run()
    return [(sql, params) for sql, params in found if any(t in sql for t in BIG)]


def team_queries(team) -> list[tuple[str, tuple]]:
    user = team.supervisor

    def run():
        supervision.dashboard(user)
        for kind in supervision.LIST_KINDS:
            page = Paginator(supervision.list_for(user, kind), 25).get_page(1)
            list(page.object_list)
        for group in GROUPS:
            services.outcome_report(user, Filters(**PERIOD, group=group), "team")

    return capture(run)


def service_endings(team) -> list[tuple[str, tuple]]:
    """The service-wide endings query (outcomes by month, format and area)."""
    statements = []
    for group in ("month", "format", "area"):
        found = capture(
            lambda g=group: services.outcome_report(
                team.supervisor, Filters(**PERIOD, group=g), "service"
            )
        )
        statements += [(sql, p) for sql, p in found if '"ended_on"' in sql]
    return statements


def service_starts_and_referrals(team) -> list[tuple[str, tuple]]:
    found = capture(lambda: services.outcome_report(team.supervisor, Filters(**PERIOD), "service"))
    return [(sql, p) for sql, p in found if '"ended_on"' not in sql]


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_scans(sql: str, params: tuple) -> list[str]:
    """Return the plan's full scans of the big tables (by name or by a subquery's alias)."""
    aliases = dict((alias, table) for table, alias in re.findall(r'"(\w+)" ([A-Z]\d+)\b', sql))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        details = [row[3] for row in cursor.fetchall()]
    scans = []
    for detail in details:
        if detail.startswith("SCAN "):
            name = detail.split()[1]
            if aliases.get(name, name) in BIG:
                scans.append(detail)
    return scans


def test_it_searches_indexes_for_every_team_query_on_sqlite(on_sqlite, service):
    statements = team_queries(service) + service_endings(service)
    assert len(statements) > 20
    for sql, params in statements:
        assert sqlite_scans(sql, params) == [], sql


def test_it_searches_indexes_for_service_starts_and_referrals_on_sqlite(on_sqlite, service):
    for sql, params in service_starts_and_referrals(service):
        assert sqlite_scans(sql, params) == [], sql


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_plan(sql: str, params: tuple, *, seqscan: bool = True) -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        found = cursor.fetchone()[0]
    return (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def full_reads(plan: dict, tables: tuple[str, ...]) -> list[str]:
    """Return the plan's reads of `tables` that are not index searches with a condition."""
    bad = []
    for node in nodes(plan):
        kind, table = node["Node Type"], node.get("Relation Name")
        if kind == "Seq Scan" and table in tables:
            bad.append(f"{kind} on {table}")
        elif kind in ("Index Scan", "Index Only Scan") and table in tables:
            if "Index Cond" not in node:
                bad.append(f"{kind} on {table} without a condition")
        elif kind == "Bitmap Heap Scan" and table in tables:
            under = [n for n in nodes(node) if n["Node Type"] == "Bitmap Index Scan"]
            if not under or any("Index Cond" not in n for n in under):
                bad.append(f"{kind} on {table} without a condition")
    return bad


def test_it_reads_every_team_query_through_indexes_on_postgresql(on_postgresql, service):
    team = team_queries(service)
    assert len(team) > 20
    for sql, params in team:
        # (1) The planner's own choice: no sequential scan of the courses.
        seq = [n for n in nodes(pg_plan(sql, params)) if n["Node Type"] == "Seq Scan"]
        assert "courses_course" not in [n.get("Relation Name") for n in seq], sql
    for sql, params in team + service_endings(service):
        # (2) Sequential scans off: an index with a condition exists for every big table.
        assert full_reads(pg_plan(sql, params, seqscan=False), BIG) == [], sql


def test_it_has_indexes_for_service_starts_and_referrals_on_postgresql(on_postgresql, service):
    for sql, params in service_starts_and_referrals(service):
        assert full_reads(pg_plan(sql, params, seqscan=False), BIG) == [], sql
