"""The supervisor's dashboard: what needs attention across the supervisees' caseloads.

Every figure is an aggregate or an indexed, paginated query over the course summary columns
(kept by the courses and assessments areas), so the page costs the same number of queries
for ten courses or a hundred thousand. Definitions are in docs/deployment.md ("Roles").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone

from openipt.clients.models import Client
from openipt.courses.models import Course, Frequency, TaskCompletion
from openipt.insights import conf
from openipt.protocol.formats import Format, all_formats, effective_counts, get_format
from openipt.protocol.phases import tasks_for

# Days until the next session is due, by the contracted frequency; 7 when none is set.
FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14, Frequency.MONTHLY: 31}
DEFAULT_INTERVAL = 7

LIST_KINDS = ("alerts", "not_on_track", "past_contract", "measures_overdue", "no_review")
LIST_TITLES = {
    "alerts": "Open risk alerts",
    "not_on_track": "Courses not on track",
    "past_contract": "Courses past their contracted sessions",
    "measures_overdue": "Measures overdue",
    "no_review": "Endings without a termination review",
}


def alert_model() -> Any:
    """Return the assessments Alert model, looked up lazily (that area owns it)."""
    return apps.get_model("assessments", "Alert")


Team = Sequence[int]  # the ids of a supervisor's therapists, read once per page


def team_of(user) -> list[int]:
    """Return the ids of the users this supervisor supervises."""
    return list(get_user_model().objects.filter(supervisor=user).values_list("pk", flat=True))


def team_courses(user, team: Team | None = None) -> QuerySet[Course]:
    """Return the courses of the supervisor's therapists: the one access rule, reused.

    The extra `therapist_id IN (their ids)` changes no result; as a list of values it gives
    the planner an index condition on (therapist, status) and a good row estimate, so it
    starts from the team's courses instead of every course in the service.
    """
    team = team_of(user) if team is None else team
    return Course.objects.visible_to(user).filter(therapist_id__in=list(team))


def team_clients(user, team: Team | None = None) -> QuerySet:
    """Return the clients of the supervisor's therapists, with the same planner hint."""
    team = team_of(user) if team is None else team
    return Client.objects.visible_to(user).filter(primary_therapist_id__in=list(team))


def supervisees(user) -> QuerySet:
    """Return the therapists this supervisor supervises, by name."""
    return (
        get_user_model()
        .objects.filter(supervisor=user, role="therapist")
        .order_by("display_name", "username", "id")
    )


# --- definitions as SQL conditions on a course row ------------------------------------------


def active_q() -> Q:
    return Q(status=Course.Status.ACTIVE)


def not_on_track_q() -> Q:
    return active_q() & Q(not_on_track=True)


def past_contract_q() -> Q:
    """Active, with a contract, and more sessions attended than contracted."""
    return (
        active_q()
        & Q(planned_sessions__isnull=False)
        & Q(sessions_attended__gt=F("planned_sessions"))
    )


def measures_overdue_q(today: date | None = None) -> Q:
    """Active, a measure due at the next session, and that session should have happened.

    The next session is expected one interval (by the contracted frequency: 7, 14 or 31 days,
    else 7) after the last attended one, or after the start when none has been held yet; the
    measure is overdue once that day plus OPENIPT_MEASURE_OVERDUE_GRACE_DAYS has passed.
    """
    today = today or timezone.localdate()
    grace = conf.overdue_grace_days()
    late = Q()
    for frequency, days in [*FREQUENCY_DAYS.items(), (None, DEFAULT_INTERVAL)]:
        cutoff = today - timedelta(days=days + grace)
        which = Q(frequency=frequency) if frequency else ~Q(frequency__in=list(FREQUENCY_DAYS))
        held = Q(last_session_on__isnull=False, last_session_on__lt=cutoff)
        none_held = Q(last_session_on__isnull=True, started_on__lt=cutoff)
        late |= which & (held | none_held)
    return active_q() & Q(measure_due=True) & late


def no_review_q() -> Q:
    """Ended (not discontinued) and no termination review recorded."""
    return Q(status=Course.Status.ENDED, termination__isnull=True)


def past_initial_q(fmt: Format) -> Q:
    """Return the courses of ``fmt`` whose next session is no longer in the initial phase.

    The SQL twin of `protocol.formats.phase_bounds` as `courses.services.current_phase`
    uses it: past the initial phase once sessions_attended >= the last initial session,
    max(1, min(engagement + initial, planned - 1)), with planned defaulting to the format's.
    """
    engagement, initial, _ = effective_counts(fmt)
    boundary = engagement + initial
    default_end = max(1, min(boundary, fmt.default_sessions - 1))
    planned = (
        Q(planned_sessions__isnull=False)
        & Q(sessions_attended__gte=1)
        & (Q(sessions_attended__gte=boundary) | Q(sessions_attended__gte=F("planned_sessions") - 1))
    )
    unplanned = Q(planned_sessions__isnull=True, sessions_attended__gte=default_end)
    return Q(format=fmt.code) & (planned | unplanned)


def required_initial_tasks() -> dict[str, tuple[str, ...]]:
    """Return the ids of the required initial-phase tasks of each format that has one."""
    found = {}
    for fmt in all_formats():
        if fmt.phase_model != "acute":
            continue  # maintenance IPT has no initial phase [S29]
        ids = tuple(t.id for t in tasks_for("initial", fmt) if t.required and not t.recurring)
        if ids:
            found[fmt.code] = ids
    return found


# --- the dashboard ---------------------------------------------------------------------------


@dataclass
class TherapistRow:
    """One supervisee's figures; task shares over active courses past the initial phase."""

    therapist: Any
    active: int = 0
    open_alerts: int = 0
    oldest_alert_at: datetime | None = None
    not_on_track: int = 0
    past_contract: int = 0
    measures_overdue: int = 0
    no_review: int = 0
    past_initial: int = 0
    tasks_expected: int = 0
    tasks_done: int = 0

    @property
    def task_share(self) -> float | None:
        """Return the share of required initial tasks done, None when none are expected."""
        if not self.tasks_expected:
            return None
        return self.tasks_done / self.tasks_expected


@dataclass
class Dashboard:
    therapists: list[TherapistRow]
    totals: dict[str, int] = field(default_factory=dict)
    previews: dict[str, list[Any]] = field(default_factory=dict)


COUNTED = (
    "active", "open_alerts", "not_on_track", "past_contract", "measures_overdue",
    "no_review", "past_initial", "tasks_expected", "tasks_done",
)  # fmt: skip


def therapist_rows(user, today: date | None = None) -> list[TherapistRow]:
    """Return each supervisee's figures in four queries, whatever the number of courses."""
    rows = {t.pk: TherapistRow(t) for t in supervisees(user)}
    team = list(rows)
    required = required_initial_tasks()
    per_format = {
        f"initial_{code}": Count("id", filter=active_q() & past_initial_q(get_format(code)))
        for code in required
    }
    counts = (
        team_courses(user, team)
        .values("therapist")
        .annotate(
            active=Count("id", filter=active_q()),
            not_on_track=Count("id", filter=not_on_track_q()),
            past_contract=Count("id", filter=past_contract_q()),
            measures_overdue=Count("id", filter=measures_overdue_q(today)),
            no_review=Count("id", filter=no_review_q()),
            **per_format,
        )
        .order_by()
    )
    for found in cast(list[dict[str, Any]], list(counts)):
        row = rows.get(found["therapist"])
        if row is None:
            continue  # a course of a non-therapist supervisee: not on this dashboard
        for name in ("active", "not_on_track", "past_contract", "measures_overdue", "no_review"):
            setattr(row, name, found[name])
        row.past_initial = sum(found[f"initial_{code}"] for code in required)
        row.tasks_expected = sum(found[f"initial_{c}"] * len(ids) for c, ids in required.items())
    for found in _alert_counts(user, team):
        if row := rows.get(found["course__therapist"]):
            row.open_alerts, row.oldest_alert_at = found["n"], found["oldest"]
    for found in _task_counts(user, required, team):
        if row := rows.get(found["course__therapist"]):
            row.tasks_done = found["n"]
    return list(rows.values())


def _alert_counts(user, team: Team) -> QuerySet:
    alerts = _open_alerts(user, team)
    return (
        alerts.values("course__therapist")
        .annotate(n=Count("id"), oldest=Min("raised_at"))
        .order_by()
    )


def _task_counts(user, required: dict[str, tuple[str, ...]], team: Team) -> QuerySet:
    """Count required initial tasks done in active courses past the initial phase."""
    if not required:
        return TaskCompletion.objects.none().values("course__therapist")
    past = Q()
    for code in required:
        past |= past_initial_q(get_format(code))
    eligible = team_courses(user, team).filter(active_q()).filter(past)
    return (
        TaskCompletion.objects.filter(course__in=eligible.values("pk"))
        .filter(_task_matches_format(required))
        .values("course__therapist")
        .annotate(n=Count("id"))
        .order_by()
    )


def _task_matches_format(required: dict[str, tuple[str, ...]]) -> Q:
    """Count a completion only if the task is required in its course's format."""
    matches = Q()
    for code, ids in required.items():
        matches |= Q(course__format=code, task_id__in=ids)
    return matches


def _open_alerts(user, team: Team) -> QuerySet:
    """Return the open alerts of the team's courses (the course filter repeated on the join,
    so that the planner starts from the team's courses)."""
    alerts = alert_model().objects.filter(status="open", course__in=team_courses(user, team))
    return alerts.filter(course__therapist_id__in=list(team))


def list_for(user, kind: str, today: date | None = None, team: Team | None = None) -> QuerySet:
    """Return one dashboard list, ordered so that the most pressing rows come first."""
    team = team_of(user) if team is None else team
    if kind == "alerts":
        return (
            _open_alerts(user, team)
            .select_related("course__client", "course__therapist")
            .order_by("raised_at", "id")
        )
    courses = team_courses(user, team).select_related("client", "therapist")
    if kind == "not_on_track":
        return courses.filter(not_on_track_q()).order_by(
            F("latest_score_at").desc(nulls_last=True), "id"
        )
    if kind == "past_contract":
        return (
            courses.filter(past_contract_q())
            .annotate(over=F("sessions_attended") - F("planned_sessions"))
            .order_by("-over", "id")
        )
    if kind == "measures_overdue":
        return courses.filter(measures_overdue_q(today)).order_by(
            F("last_session_on").asc(nulls_first=True), "started_on", "id"
        )
    if kind == "no_review":
        return courses.filter(no_review_q()).order_by(F("ended_on").desc(nulls_last=True), "-id")
    raise ValueError(f"Unknown dashboard list {kind!r}.")


TOTAL_OF = {
    "alerts": "open_alerts",
    "not_on_track": "not_on_track",
    "past_contract": "past_contract",
    "measures_overdue": "measures_overdue",
    "no_review": "no_review",
}


def dashboard(user, *, preview: int = 5, today: date | None = None) -> Dashboard:
    """Return the supervisor's dashboard: per-therapist figures and the top of each list."""
    rows = therapist_rows(user, today)
    team = [row.therapist.pk for row in rows]
    totals = {name: sum(getattr(row, name) for row in rows) for name in COUNTED}
    previews = {
        kind: list(list_for(user, kind, today, team)[:preview]) if totals[TOTAL_OF[kind]] else []
        for kind in LIST_KINDS
    }
    return Dashboard(therapists=rows, totals=totals, previews=previews)
