"""What the pages, the API and the exports call: every permission check lives here.

Insights only read. Supervisors see their supervisees' courses on the dashboard; the
outcome report holds aggregates only, for their team or, when the service allows it
(OPENIPT_SUPERVISORS_SEE_SERVICE_OUTCOMES), for the whole service.

The dashboard and the report are kept (`openipt.core.kept`) under the scopes of what they
count, and made again only after one of those records changes: the dashboard under its
team's therapist scopes, the report under the service's scope or its team's or therapist's.
The permission checks run before, on every call; a kept value is never an access decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation

from openipt import policy
from openipt.clients.models import Client
from openipt.core import kept
from openipt.courses.models import Course
from openipt.insights import conf, exports, outcomes, supervision
from openipt.insights.outcomes import Filters

T = TypeVar("T")
SCOPES = ("team", "service")
# The names of the kept values (docs/architecture.md, "What is kept").
KEPT_DASHBOARD = "supervision-dashboard"
KEPT_REPORT = "outcome-report"


def require_supervisor(user) -> None:
    """Refuse anyone but an active supervisor: therapists, clients and admins get 403."""
    if policy.role(user) is None:
        raise PermissionDenied("Sign in as a supervisor.")
    if not policy.is_supervisor(user):
        raise PermissionDenied("The dashboards are for supervisors.")


def supervision_dashboard(user, *, preview: int = 5) -> supervision.Dashboard:
    """Return the dashboard of the supervisor's therapists, kept until one of them changes."""
    return kept_dashboard(user, KEPT_DASHBOARD, preview, lambda board: board)


def kept_dashboard(user, name: str, preview: int, make: Callable[[supervision.Dashboard], T]) -> T:
    """Return `make(dashboard)`, kept until a record the dashboard counts changes.

    The page keeps its rendered HTML this way, the API the figures. Kept under the scope
    of every supervisee (one query reads the team), so a write to any of their courses,
    clients or own records makes it again; today's date is part of the key (measures become
    overdue by the calendar), and so is the language (frequency names).
    """
    require_supervisor(user)
    today = timezone.localdate()
    team, people = supervision.team_and_people(user)
    scopes = [kept.therapist_scope(pk) for pk in team]
    parts = (user.pk, today, preview, translation.get_language())
    return kept.get_or_make(
        name,
        scopes,
        parts,
        lambda: make(supervision.dashboard(user, preview=preview, today=today, people=people)),
    )


def supervision_list(user, kind: str) -> QuerySet:
    """Return one of the dashboard's lists, in full, for paging."""
    require_supervisor(user)
    if kind not in supervision.LIST_KINDS:
        raise ValidationError({"kind": f"Choose one of: {', '.join(supervision.LIST_KINDS)}."})
    return supervision.list_for(user, kind)


def allowed_scopes(user) -> tuple[str, ...]:
    """Return the scopes this supervisor may report on."""
    return SCOPES if conf.supervisors_see_service() else ("team",)


def outcome_scope(user, scope: str) -> tuple[QuerySet[Course], QuerySet[Client]]:
    """Return the courses and clients a report in this scope may count."""
    _check_scope(user, scope)
    return _scoped(user, scope, None if scope == "service" else supervision.team_of(user))


def _check_scope(user, scope: str) -> None:
    require_supervisor(user)
    if scope not in SCOPES:
        raise ValidationError({"scope": "Choose team or service."})
    if scope not in allowed_scopes(user):
        raise PermissionDenied("This service shows supervisors their own team's outcomes only.")


def _scoped(
    user, scope: str, team: Sequence[int] | None
) -> tuple[QuerySet[Course], QuerySet[Client]]:
    if scope == "service" or team is None:
        return Course.objects.all(), Client.objects.all()
    return supervision.team_courses(user, team), supervision.team_clients(user, team)


def outcome_report(user, filters: Filters, scope: str = "team") -> dict[str, Any]:
    """Return the outcome report this supervisor may see, small numbers suppressed.

    The checks run on every call; the computed report is kept until a record it counts
    changes (`_report_scopes`), so an unchanged report costs the checks and a cache read.
    """
    scopes, parts, compute = _checked_report(user, filters, scope)
    return kept.get_or_make(KEPT_REPORT, scopes, parts, compute)


def kept_report(
    user, filters: Filters, scope: str, name: str, make: Callable[[dict[str, Any]], T]
) -> T:
    """Return `make(report)` after the same checks, kept as long as the report is.

    The page keeps its rendered tables and charts this way, made from the kept report.
    """
    scopes, parts, compute = _checked_report(user, filters, scope)
    return kept.get_or_make(
        name, scopes, parts, lambda: make(kept.get_or_make(KEPT_REPORT, scopes, parts, compute))
    )


def _checked_report(
    user, filters: Filters, scope: str
) -> tuple[list[str], tuple, Callable[[], dict[str, Any]]]:
    """Check who asks for what, then return the report's scopes, key parts and maker."""
    _check_scope(user, scope)
    team = None if scope == "service" else supervision.team_of(user)
    _check_therapist(user, filters, scope)
    outcomes.check_filters(filters)
    parts = (
        filters.as_dict(),
        scope,
        user.pk if scope == "team" else None,  # a team is the supervisor's own
        timezone.localdate(),
        translation.get_language(),
    )

    def compute() -> dict[str, Any]:
        courses, clients = _scoped(user, scope, team)
        found = outcomes.report(filters, courses, clients, min_cell=conf.min_cell())
        found["scope"] = scope
        return found

    return _report_scopes(filters, scope, team), parts, compute


def _report_scopes(filters: Filters, scope: str, team: Sequence[int] | None) -> list[str]:
    """Return the scopes a report counts: the service, one therapist, or the whole team."""
    if scope == "service" or team is None:
        return [kept.SERVICE]
    if filters.therapist is not None:
        return [kept.therapist_scope(filters.therapist)]
    return [kept.therapist_scope(pk) for pk in team]


def outcome_export(user, filters: Filters, scope: str, kind: str) -> tuple[bytes, str, str]:
    """Return (content, media type, file name) of the report as CSV or Parquet.

    The permission checks run again here, whatever page linked to the export.
    """
    if kind not in exports.MEDIA_TYPES:
        raise ValidationError({"kind": "Export as csv or parquet."})
    found = outcome_report(user, filters, scope)
    content = exports.to_csv(found) if kind == "csv" else exports.to_parquet(found)
    name = f"openipt-outcomes-{scope}-{filters.group}-{filters.start}-{filters.end}.{kind}"
    return content, exports.MEDIA_TYPES[kind], name


def _check_therapist(user, filters: Filters, scope: str) -> None:
    """Keep per-therapist figures to the supervisor's own team (they are staff data)."""
    by_therapist = filters.group == "therapist" or filters.therapist is not None
    if scope == "service" and by_therapist:
        field = "group" if filters.group == "therapist" else "therapist"
        raise ValidationError({field: "Figures by therapist cover your own team only."})
    team = supervision.supervisees(user)
    if filters.therapist is not None and not team.filter(pk=filters.therapist).exists():
        raise ValidationError({"therapist": "Choose one of the therapists you supervise."})
