"""What the pages, the API and the exports call: every permission check lives here.

Insights only read. Supervisors see their supervisees' courses on the dashboard; the
outcome report holds aggregates only, for their team or, when the service allows it
(OPENIPT_SUPERVISORS_SEE_SERVICE_OUTCOMES), for the whole service.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from openipt.clients.models import Client
from openipt.courses.models import Course
from openipt.insights import conf, exports, outcomes, supervision
from openipt.insights.outcomes import Filters

SCOPES = ("team", "service")


def require_supervisor(user) -> None:
    """Refuse anyone but an active supervisor: therapists, clients and admins get 403."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Sign in as a supervisor.")
    if user.role != "supervisor":
        raise PermissionDenied("The dashboards are for supervisors.")


def supervision_dashboard(user, *, preview: int = 5) -> supervision.Dashboard:
    """Return the dashboard of the supervisor's therapists."""
    require_supervisor(user)
    return supervision.dashboard(user, preview=preview)


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
    require_supervisor(user)
    if scope not in SCOPES:
        raise ValidationError({"scope": "Choose team or service."})
    if scope not in allowed_scopes(user):
        raise PermissionDenied("This service shows supervisors their own team's outcomes only.")
    if scope == "service":
        return Course.objects.all(), Client.objects.all()
    team = supervision.team_of(user)
    return supervision.team_courses(user, team), supervision.team_clients(user, team)


def outcome_report(user, filters: Filters, scope: str = "team") -> dict[str, Any]:
    """Return the outcome report this supervisor may see, small numbers suppressed."""
    courses, clients = outcome_scope(user, scope)
    _check_therapist(user, filters, scope)
    found = outcomes.report(filters, courses, clients, min_cell=conf.min_cell())
    found["scope"] = scope
    return found


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
