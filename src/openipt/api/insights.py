"""Supervision and service outcomes over REST, for supervisors only (others get 403).

No `from __future__ import annotations`: django-ninja reads the annotations at run time.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict

from openipt.api.schemas import responses
from openipt.core.downloads import content_disposition
from openipt.insights import services
from openipt.insights.outcomes import Filters, default_period

router = Router(tags=["insights"])

CourseList = Literal["not_on_track", "past_contract", "measures_overdue", "no_review"]
Group = Literal["month", "therapist", "format", "area"]
Scope = Literal["team", "service"]


class TherapistOut(Schema):
    id: int
    name: str
    active: int
    open_alerts: int
    oldest_alert_at: datetime | None
    not_on_track: int
    past_contract: int
    measures_overdue: int
    no_review: int = Field(..., description="Ended courses without a termination review")
    past_initial: int = Field(..., description="Active courses past the initial phase")
    tasks_expected: int
    tasks_done: int
    task_share: float | None


class SupervisionOut(Schema):
    therapists: list[TherapistOut]
    totals: dict[str, int]


class AlertItemOut(Schema):
    id: int
    course_id: int
    client_name: str
    therapist_id: int
    therapist_name: str
    instrument: str
    item: str
    value: int
    raised_at: datetime

    @staticmethod
    def resolve_client_name(alert) -> str:
        return alert.course.client.name

    @staticmethod
    def resolve_therapist_id(alert) -> int:
        return alert.course.therapist_id

    @staticmethod
    def resolve_therapist_name(alert) -> str:
        return str(alert.course.therapist)


class CourseItemOut(Schema):
    id: int
    client_name: str
    therapist_id: int
    therapist_name: str
    format: str
    status: str
    sessions_attended: int
    planned_sessions: int | None
    frequency: str
    started_on: date
    last_session_on: date | None
    ended_on: date | None
    phq9_first: int | None
    phq9_last: int | None
    latest_score_at: datetime | None

    @staticmethod
    def resolve_client_name(course) -> str:
        return course.client.name

    @staticmethod
    def resolve_therapist_name(course) -> str:
        return str(course.therapist)


class OutcomeQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    scope: Scope = "team"
    start: date | None = Field(None, description="First day; default: twelve months ago")
    end: date | None = Field(None, description="Last day, inclusive; default: today")
    group: Group = "month"
    therapist: int | None = Field(None, description="One of your therapists (team scope)")
    format: str = Field("", max_length=32, description="A course format code")
    area: str = Field("", max_length=32, description="A problem area code")

    def filters(self) -> Filters:
        start, end = default_period()
        return Filters(
            start=self.start or start,
            end=self.end or end,
            group=self.group,
            therapist=self.therapist,
            format=self.format,
            area=self.area,
        )


class RowOut(Schema):
    key: str
    label: str
    referrals: int | None
    started: int | None
    ended: int | None
    finished: int | None
    at_caseness: int | None
    recovery: int | None
    recovery_n: int | None
    recovery_pct: float | None
    reliable_improvement: int | None
    reliable_improvement_n: int | None
    reliable_improvement_pct: float | None
    reliable_recovery: int | None
    reliable_recovery_n: int | None
    reliable_recovery_pct: float | None
    reliable_deterioration: int | None
    reliable_deterioration_n: int | None
    reliable_deterioration_pct: float | None
    response: int | None
    response_n: int | None
    response_pct: float | None
    remission: int | None
    remission_n: int | None
    remission_pct: float | None
    suppressed: list[str] = Field(..., description="Cells hidden as small numbers")


class FiltersOut(Schema):
    start: date
    end: date
    group: str
    therapist: int | None
    format: str
    area: str


class OutcomesOut(Schema):
    scope: str
    min_cell: int = Field(..., description="Counts from 1 to min_cell - 1 are hidden")
    filters: FiltersOut
    rows: list[RowOut]
    total: RowOut


def _file(media_type: str) -> dict:
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": "The report as a file", "content": content}}}


@router.get(
    "/insights/supervision",
    response=responses(SupervisionOut),
    summary="Supervision dashboard figures, per therapist",
)
def supervision(request: HttpRequest):
    board = services.supervision_dashboard(request.user, preview=0)
    therapists = [
        {"id": row.therapist.pk, "name": str(row.therapist), **_figures(row)}
        for row in board.therapists
    ]
    return {"therapists": therapists, "totals": board.totals}


def _figures(row) -> dict:
    names = TherapistOut.model_fields.keys() - {"id", "name"}
    return {name: getattr(row, name) for name in names}


@router.get(
    "/insights/supervision/alerts",
    response=responses(list[AlertItemOut]),
    summary="Open risk alerts of your therapists' courses, oldest first",
)
@paginate(LimitOffsetPagination)
def supervision_alerts(request: HttpRequest):
    return services.supervision_list(request.user, "alerts")


@router.get(
    "/insights/supervision/courses/{kind}",
    response=responses(list[CourseItemOut]),
    summary="One of the dashboard's course lists",
)
@paginate(LimitOffsetPagination)
def supervision_courses(request: HttpRequest, kind: CourseList):
    return services.supervision_list(request.user, kind)


@router.get("/insights/outcomes", response=responses(OutcomesOut), summary="Service outcomes")
def outcomes(request: HttpRequest, query: Query[OutcomeQuery]):
    return services.outcome_report(request.user, query.filters(), query.scope)


@router.get(
    "/insights/outcomes.csv",
    response=responses(None),
    summary="Service outcomes as CSV",
    openapi_extra=_file("text/csv"),
)
def outcomes_csv(request: HttpRequest, query: Query[OutcomeQuery]):
    return _export(request, query, "csv")


@router.get(
    "/insights/outcomes.parquet",
    response=responses(None),
    summary="Service outcomes as Parquet",
    openapi_extra=_file("application/vnd.apache.parquet"),
)
def outcomes_parquet(request: HttpRequest, query: Query[OutcomeQuery]):
    return _export(request, query, "parquet")


def _export(request: HttpRequest, query: OutcomeQuery, kind: str) -> HttpResponse:
    content, media_type, name = services.outcome_export(
        request.user, query.filters(), query.scope, kind
    )
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "no-store"
    return response
