"""Time what the load test cannot isolate: the outcome report and a caseload of 200.

Usage: python -m bench.measure MANIFEST OUT_JSON [--repeat 5]
Runs in-process against the benchmark database (bench.settings), before the load test, with
the cache the driver gave the workers (the same environment), and says which cache that is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    manifest = json.loads(args.manifest.read_text())
    found = curves()
    found.update(outcome_report(args.repeat))
    found.update(caseload(manifest["usernames"]["big_caseload"][0], args.repeat * 4))
    found.update(outcomes_page(manifest["usernames"]["supervisors"], args.repeat * 4))
    found.update(group_pages(manifest, args.repeat * 4))
    found["database_version"] = database_version()
    found["cache"] = cache_in_use()
    args.out.write_text(json.dumps(found, indent=1) + "\n")
    print(json.dumps(found))


def curves() -> dict:
    """Fit the expected-change curves from every finished course, cold, and keep them.

    The assessments area fits them on the first score or session saved after the cache
    empties (inside that write's transaction); this times that fit and leaves the curves in
    the shared cache for the workers.
    """
    from django.core.cache import cache

    from openipt.assessments import tracking

    cache.clear()
    started = time.perf_counter()
    try:
        fitted = [tracking.service_curves(code) for code in tracking.TRACKED]
    except Exception as exc:  # noqa: BLE001 - report it: the workers will meet it too
        return {
            "curves_fit_s": round(time.perf_counter() - started, 3),
            "curves_fit_error": f"{type(exc).__name__}: {exc}"[:300],
        }
    return {
        "curves_fit_s": round(time.perf_counter() - started, 3),
        "curves_fitted": sum(c is not None for c in fitted),
    }


def outcome_report(repeat: int) -> dict:
    """Time the insights report over every course, by month, as the pure function runs it."""
    from datetime import date

    from django.db.models import Min
    from django.utils import timezone

    from openipt.clients.models import Client
    from openipt.courses.models import Course
    from openipt.insights.outcomes import Filters, report

    today = timezone.localdate()
    first = Course.objects.aggregate(first=Min("started_on"))["first"] or today
    filters = Filters(start=date(first.year, first.month, 1), end=today, group="month")
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        found = report(filters, Course.objects.all(), Client.objects.all())
        runs.append(time.perf_counter() - started)
    return {
        "outcome_report_s": round(statistics.median(runs), 4),
        "outcome_report_runs_s": [round(r, 4) for r in runs],
        "outcome_report_months": len(found["rows"]),
        "outcome_report_started": found["total"]["started"],
    }


def caseload(username: str, repeat: int) -> dict:
    """Time the caseload page of the therapist with 200 active courses, server-side."""
    from django.test import Client as TestClient

    from openipt.accounts.models import User
    from openipt.courses.models import Course

    user = User.objects.get(username=username)
    browser = TestClient()
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert browser.get("/courses/").status_code == 200  # warm: templates, first queries
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = browser.get("/courses/")
        runs.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    runs.sort()
    return {
        "caseload_200_ms": round(statistics.median(runs), 2),
        "caseload_200_p95_ms": round(runs[min(len(runs) - 1, int(len(runs) * 0.95))], 2),
        "caseload_active_courses": Course.objects.filter(therapist=user, status="active").count(),
    }


def outcomes_page(supervisors: list[str], repeat: int) -> dict:
    """Time the outcomes page when its inputs have not changed since the last request.

    The page is cached under a version that the product's writes bump, so the second and
    later requests of an unchanged service are what a supervisor mostly sees: the first
    request is timed apart (cold), then the median of `repeat`. Signed in as a service lead
    when the product has that role and the synthetic service has one, else as a supervisor.
    """
    from django.test import Client as TestClient

    from openipt.accounts.models import User

    lead_roles = [role for role in User.Role.values if "lead" in role]
    user = (
        User.objects.filter(role__in=lead_roles, is_active=True).order_by("id").first()
        if lead_roles
        else None
    )
    if user is None:
        user = User.objects.get(username=supervisors[0])
    browser = TestClient()
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    started = time.perf_counter()
    response = browser.get("/insights/outcomes/")
    first = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = browser.get("/insights/outcomes/")
        runs.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "outcomes_page_first_ms": round(first, 2),
        "outcomes_page_unchanged_ms": round(statistics.median(runs), 2),
        "outcomes_page_unchanged_runs_ms": [round(r, 2) for r in runs],
        "outcomes_page_role": user.role,
    }


def group_pages(manifest: dict, repeat: int) -> dict:
    """Time the group session page (a facilitator's) and the programme dashboard (the
    groups' supervisor's), with their query counts, when the synthetic service has groups."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from openipt.accounts.models import User
    from openipt.groups.models import Group

    group_ids = manifest.get("groups") or []
    group = Group.objects.filter(pk__in=group_ids, status="running").order_by("pk").first()
    if group is None:
        return {}
    pages = {
        "group_session_page": (group.facilitators.order_by("pk").first(),
                               f"/groups/{group.pk}/sessions/new/"),
        "programme_dashboard": (User.objects.get(pk=group.supervisor_id),
                                "/groups/dashboard/?programme=who_8"),
    }  # fmt: skip
    found: dict = {"groups": len(group_ids)}
    for name, (user, url) in pages.items():
        browser = TestClient()
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        assert browser.get(url).status_code == 200  # warm
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = browser.get(url)
            runs.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        found[f"{name}_ms"] = round(statistics.median(runs), 2)
        found[f"{name}_queries"] = len(queries.captured_queries)
    return found


def cache_in_use() -> dict:
    """Return the default cache the settings chose, so the results say what was measured."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.filebased import FileBasedCache
    from django.core.cache.backends.redis import RedisCache

    found = settings.CACHES["default"]
    backend = caches["default"]
    kind = "redis" if isinstance(backend, RedisCache) else "other"
    kind = "file" if isinstance(backend, FileBasedCache) else kind
    location = found.get("LOCATION", "")
    if not isinstance(location, str):
        location = ",".join(location)
    if "@" in location:  # a URL with a password: the results name the server only
        scheme, _, rest = location.partition("://")
        location = f"{scheme}://{rest.rsplit('@', 1)[1]}"
    return {
        "backend": str(found.get("BACKEND", "")).rsplit(".", 1)[-1],
        "kind": kind,
        "location": location,
        "max_entries": (found.get("OPTIONS") or {}).get("MAX_ENTRIES"),
    }


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        else:
            cursor.execute("SELECT version()")
        return str(cursor.fetchone()[0]).split(" on ")[0]


if __name__ == "__main__":
    main()
