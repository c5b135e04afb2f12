"""The supervisor's dashboard: what needs attention across the supervisees' caseloads.

Every figure is an aggregate or an indexed, paginated query over the course summary columns
(kept by the courses and assessments areas), so the page costs the same number of queries
for ten courses or a hundred thousand. Each query starts from the small side: the team's
active and ended courses through the caseload index (therapist, status), and open alerts
through the (course, status) index from the team's course ids, the access rule checked on
the alerts found rather than on every course. The dashboard is plain data (ids, names,
counts, dates), so `openipt.insights.services` can keep it in the shared cache.
Definitions are in docs/deployment.md ("Roles").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from openipt.assessments.overdue import overdue_q
from openipt.clients.models import Client
from openipt.courses.models import Course, Frequency
from openipt.protocol.formats import Format, all_formats, effective_counts, get_format
from openipt.protocol.phases import tasks_for

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
    """The caseload's "Overdue" badge as a condition (`openipt.assessments.overdue`)."""
    return overdue_q(today or timezone.localdate())


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


@dataclass(frozen=True)
class Person:
    """A therapist as the dashboard shows them: an id and a name, nothing left to query."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass
class TherapistRow:
    """One supervisee's figures; task shares over active courses past the initial phase."""

    therapist: Person
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


@dataclass(frozen=True)
class AlertRow:
    """One open alert of a list, as the page shows it."""

    pk: int
    course_id: int
    client_name: str
    therapist_id: int
    therapist_name: str
    instrument: str
    item: str
    value: int
    raised_at: datetime


@dataclass(frozen=True)
class CourseRow:
    """One course of a list, as the page shows it (`over` only on the past-contract list)."""

    pk: int
    client_name: str
    therapist_name: str
    sessions_attended: int
    planned_sessions: int | None
    frequency: str
    frequency_label: str
    started_on: date
    last_session_on: date | None
    ended_on: date | None
    phq9_first: int | None
    phq9_last: int | None
    latest_score_at: datetime | None
    over: int | None = None


@dataclass
class Dashboard:
    therapists: list[TherapistRow]
    totals: dict[str, int] = field(default_factory=dict)
    previews: dict[str, list[Any]] = field(default_factory=dict)


COUNTED = (
    "active", "open_alerts", "not_on_track", "past_contract", "measures_overdue",
    "no_review", "past_initial", "tasks_expected", "tasks_done",
)  # fmt: skip
COURSE_FIGURES = ("active", "not_on_track", "past_contract", "measures_overdue", "no_review")


def therapist_rows(user, today: date | None = None) -> list[TherapistRow]:
    """Return each supervisee's figures in five queries, whatever the number of courses."""
    people = _people(user)
    names = {person.pk: person.name for person in people}
    return _figures(user, people, today, team_open_alerts(user, list(names), names))


def _people(user) -> list[Person]:
    """Return the supervisor's therapists, by name, as plain people."""
    return team_and_people(user)[1]


def team_and_people(user) -> tuple[list[int], list[Person]]:
    """Return the ids of everyone the supervisor supervises, and the therapists among them
    by name (as `supervisees` orders them), in one query."""
    found = (
        get_user_model()
        .objects.filter(supervisor=user)
        .order_by("display_name", "username", "id")
        .values_list("pk", "role", "display_name", "username")
    )
    team, people = [], []
    for pk, role, display_name, username in found:
        team.append(pk)
        if role == "therapist":
            people.append(Person(pk, display_name or username))  # as User.__str__
    return team, people


def _figures(
    user, people: list[Person], today: date | None, alerts: list[AlertRow]
) -> list[TherapistRow]:
    """Return each person's figures: course counts, task counts and their open alerts."""
    rows = {person.pk: TherapistRow(person) for person in people}
    team = list(rows)
    required = required_initial_tasks()
    for found in _course_counts(user, team, required, today):
        row = rows.get(found["therapist"])
        if row is None:
            continue  # a course of a non-therapist supervisee: not on this dashboard
        for name in COURSE_FIGURES:
            setattr(row, name, found[name])
        row.past_initial = sum(found[f"initial_{code}"] for code in required)
        row.tasks_expected = sum(found[f"initial_{c}"] * len(ids) for c, ids in required.items())
    for alert in alerts:  # oldest first
        if row := rows.get(alert.therapist_id):
            row.open_alerts += 1
            row.oldest_alert_at = row.oldest_alert_at or alert.raised_at
    for found in _task_counts(user, required, team):
        if row := rows.get(found["therapist"]):
            row.tasks_done = found["n"]
    return list(rows.values())


def _course_counts(
    user, team: Team, required: dict[str, tuple[str, ...]], today: date | None
) -> QuerySet:
    """Count the figures of the team's active and ended courses, by therapist.

    Every figure but one is about active courses and the other about ended ones, so the
    query reads those two ranges of the caseload index (therapist, status), never the
    discontinued courses.
    """
    per_format = {
        f"initial_{code}": Count("id", filter=active_q() & past_initial_q(get_format(code)))
        for code in required
    }
    return (
        team_courses(user, team)
        .filter(status__in=[Course.Status.ACTIVE, Course.Status.ENDED])
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


def team_open_alerts(user, team: Team, names: dict[int, str]) -> list[AlertRow]:
    """Return the open alerts of the team's courses, oldest first, in two small queries.

    The team's course ids come from the therapist index alone and are looked up in the
    alerts' (course, status) index; the access rule (`team_courses`) then runs on the few
    courses those alerts belong to, not on every course of the team. The cost follows the
    team's open alerts, not the service's: starting from every open alert of the service
    grows with the service (measured in docs/architecture.md, "What is kept").
    """
    ids = Course.objects.filter(therapist_id__in=list(team)).values("pk")
    found = list(
        alert_model()
        .objects.filter(status="open", course_id__in=ids)
        .order_by("raised_at", "id")
        .values(*ALERT_FIELDS)
    )
    if not found:
        return []
    visible = {
        pk: (therapist_id, client_name)
        for pk, therapist_id, client_name in team_courses(user, team)
        .filter(pk__in={alert["course_id"] for alert in found})
        .order_by()
        .values_list("pk", "therapist_id", "client__name")
    }
    return [
        AlertRow(
            **alert,
            client_name=visible[alert["course_id"]][1],
            therapist_id=visible[alert["course_id"]][0],
            therapist_name=_name(names, visible[alert["course_id"]][0]),
        )
        for alert in found
        if alert["course_id"] in visible
    ]


def _task_counts(user, required: dict[str, tuple[str, ...]], team: Team) -> QuerySet:
    """Count required initial tasks done in active courses past the initial phase.

    A completion counts only if the task is required in its course's format.
    """
    if not required:
        return Course.objects.none().values("therapist")
    past, matches = Q(), Q()
    for code, ids in required.items():
        past |= past_initial_q(get_format(code))
        matches |= Q(format=code, task_completions__task_id__in=ids)
    return (
        team_courses(user, team)
        .filter(active_q())
        .filter(past)
        .values("therapist")
        .annotate(n=Count("task_completions", filter=matches))
        .order_by()
    )


def _open_alerts(user, team: Team) -> QuerySet:
    """Return the open alerts of the team's courses, for paging (see `team_open_alerts`).

    The team's course ids (the therapist index alone) are looked up in the alerts'
    (course, status) index, and the access rule runs on the open alerts' courses.
    """
    ids = Course.objects.filter(therapist_id__in=list(team)).values("pk")
    visible = team_courses(user, team).filter(pk=OuterRef("course_id"))
    return alert_model().objects.filter(status="open", course_id__in=ids).filter(Exists(visible))


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

FREQUENCY_LABELS = dict(Frequency.choices)
ALERT_FIELDS = ("pk", "course_id", "instrument", "item", "value", "raised_at")
COURSE_FIELDS = (
    "pk", "client__name", "therapist_id", "sessions_attended", "planned_sessions",
    "frequency", "started_on", "last_session_on", "ended_on", "phq9_first", "phq9_last",
    "latest_score_at",
)  # fmt: skip


def plain_rows(kind: str, rows: Any) -> list[Any]:
    """Return a page of a list (model instances from `list_for`) as plain rows."""
    if kind == "alerts":
        return [
            AlertRow(
                pk=a.pk,
                course_id=a.course_id,
                client_name=a.course.client.name,
                therapist_id=a.course.therapist_id,
                therapist_name=str(a.course.therapist),
                instrument=a.instrument,
                item=a.item,
                value=a.value,
                raised_at=a.raised_at,
            )
            for a in rows
        ]
    return [_course_row(_values_of(c), str(c.therapist)) for c in rows]


def _values_of(course: Course) -> dict[str, Any]:
    values = {name: getattr(course, name) for name in COURSE_FIELDS if name != "client__name"}
    return values | {"client__name": course.client.name, "over": getattr(course, "over", None)}


def _course_row(values: dict[str, Any], therapist_name: str) -> CourseRow:
    frequency = values["frequency"]
    return CourseRow(
        pk=values["pk"],
        client_name=values["client__name"],
        therapist_name=therapist_name,
        sessions_attended=values["sessions_attended"],
        planned_sessions=values["planned_sessions"],
        frequency=frequency,
        frequency_label=str(FREQUENCY_LABELS.get(frequency, frequency)),
        started_on=values["started_on"],
        last_session_on=values["last_session_on"],
        ended_on=values["ended_on"],
        phq9_first=values["phq9_first"],
        phq9_last=values["phq9_last"],
        latest_score_at=values["latest_score_at"],
        over=values.get("over"),
    )


def preview_rows(
    user, kind: str, size: int, names: dict[int, str], today: date | None, team: Team
) -> list[CourseRow]:
    """Return the top of one course list as plain rows, reading only the columns shown.

    `names` holds the therapists' names by id, so no row queries for its therapist.
    """
    found = list_for(user, kind, today, team)
    fields = (*COURSE_FIELDS, "over") if kind == "past_contract" else COURSE_FIELDS
    return [
        _course_row(values, _name(names, values["therapist_id"]))
        for values in found.values(*fields)[:size]
    ]


def _name(names: dict[int, str], pk: int) -> str:
    """Return a therapist's name; one outside the dashboard's rows is read on its own."""
    if pk not in names:
        names[pk] = str(get_user_model().objects.get(pk=pk))
    return names[pk]


def dashboard(
    user, *, preview: int = 5, today: date | None = None, people: list[Person] | None = None
) -> Dashboard:
    """Return the supervisor's dashboard: per-therapist figures and the top of each list.

    Plain data only (`Person`, `AlertRow`, `CourseRow`): it can be kept and read back
    without a query. The team's open alerts are read once, for the counts and the preview.
    `people` are the therapists from `team_and_people` when the caller has read them.
    """
    people = _people(user) if people is None else people
    names = {person.pk: person.name for person in people}
    team = list(names)
    alerts = team_open_alerts(user, team, names)
    rows = _figures(user, people, today, alerts)
    totals = {name: sum(getattr(row, name) for row in rows) for name in COUNTED}
    previews: dict[str, list[Any]] = {kind: [] for kind in LIST_KINDS}
    if preview:
        previews["alerts"] = alerts[:preview]
        for kind in LIST_KINDS[1:]:
            if totals[TOTAL_OF[kind]]:
                previews[kind] = preview_rows(user, kind, preview, names, today, team)
    return Dashboard(therapists=rows, totals=totals, previews=previews)
