"""REST schemas of the courses area (used by `openipt.api.courses`).

No `from __future__ import annotations`: django-ninja and pydantic read the annotations at
run time. Input schemas forbid unknown fields and use strict types, so `true` is never 1.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict, StrictBool, StrictInt, StrictStr

from openipt.courses.models import Course
from openipt.courses.records import current_foci
from openipt.courses.services import ContractChange, Ending, current_phase, next_agenda
from openipt.courses.templatetags.course_tags import area_label

FormatCode = Literal["standard", "brief", "ipc", "adolescent", "maintenance", "group_who"]
FrequencyCode = Literal["weekly", "fortnightly", "monthly"]
AreaCode = Literal["grief", "role_dispute", "role_transition", "interpersonal_deficits"]
StageCode = Literal["renegotiation", "impasse", "dissolution"]
Attendance = Literal["attended", "cancelled", "did_not_attend"]
Modality = Literal["in_person", "video", "telephone"]
GoalStatus = Literal["open", "partly_met", "met", "not_met", "dropped"]
Decision = Literal[
    "maintenance_contract",
    "continuation_contract",
    "other_treatment",
    "referral",
    "discharge_with_relapse_plan",
]
Response = Literal["responder", "partial", "non_responder", ""]
Count = Annotated[StrictInt, Field(ge=1, le=200)]
Text = Annotated[StrictStr, Field(max_length=5000)]
Code = Annotated[StrictStr, Field(max_length=64)]

FORBID = ConfigDict(extra="forbid")


class BoundedPagination(LimitOffsetPagination):
    """Limit and offset with upper bounds: SQLite refuses integers past 64 bits."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=100)
        offset: int = Field(0, ge=0, le=1_000_000)


class Notice(Schema):
    code: str
    message: str
    sources: list[str]


class AgendaTask(Schema):
    id: str
    label: str
    guidance: str
    phase: str
    required: bool
    overdue: bool
    sources: list[str]


class AgendaStrategy(Schema):
    area: str
    text: str
    sources: list[str]


class AgendaTechnique(Schema):
    id: str
    label: str
    sources: list[str]


class AgendaOut(Schema):
    format_code: str
    session_number: int
    session_label: str
    planned_sessions: int
    planned_is_contract: bool
    phase: str
    engagement: bool
    ended: bool
    tasks: list[AgendaTask]
    strategies: list[AgendaStrategy]
    techniques: list[AgendaTechnique]
    reminders: list[Notice]


class FocusOut(Schema):
    area: str
    label: str
    dispute_stage: str | None
    reason: str
    deficits_confirmed: bool
    position: int
    chosen_on: dt.date

    @staticmethod
    def resolve_label(obj) -> str:
        return area_label(obj.area)

    @staticmethod
    def resolve_dispute_stage(obj) -> str | None:
        return obj.dispute_stage or None


class GoalOut(Schema):
    id: int
    text: str
    status: str
    after_treatment: bool
    position: int


class CourseOut(Schema):
    id: int
    client_id: int
    therapist_id: int
    format: str
    status: str
    phase: str
    sessions_done: int
    sessions_remaining: int | None
    planned_sessions: int | None
    frequency: str
    contract_agreed_on: dt.date | None
    started_on: dt.date
    ended_on: dt.date | None
    end_decision: str
    end_decision_detail: str
    maintenance_months: int | None
    follows_id: int | None
    followed_by: list[int]
    referrer: str
    symptom_onset: dt.date | None
    intake_flags: list[dict[str, Any]]
    open_alerts: int
    measure_due: bool
    measure_missed: bool
    focus: list[FocusOut]
    goals: list[GoalOut]
    agenda: AgendaOut

    @staticmethod
    def resolve_phase(obj: Course) -> str:
        return current_phase(obj).value

    @staticmethod
    def resolve_sessions_done(obj: Course) -> int:
        return obj.sessions_attended

    @staticmethod
    def resolve_followed_by(obj: Course) -> list[int]:
        return [c.pk for c in obj.followed_by.all()]

    @staticmethod
    def resolve_focus(obj: Course) -> list:
        return current_foci(obj)

    @staticmethod
    def resolve_goals(obj: Course) -> list:
        return sorted(obj.goals.all(), key=lambda g: (g.after_treatment, g.position, g.pk))

    @staticmethod
    def resolve_agenda(obj: Course) -> dict:
        return next_agenda(obj).to_dict()


class CourseIn(Schema):
    model_config = FORBID

    client_id: StrictInt
    format: FormatCode
    planned_sessions: Count | None = None
    frequency: FrequencyCode | None = None
    started_on: dt.date | None = None
    intake_flags: list[Code] | None = Field(
        None, max_length=20, description="Exclusions found at the intake screen (IPT-A)"
    )
    referrer: Annotated[StrictStr, Field(max_length=200)] = ""
    symptom_onset: dt.date | None = None


class CourseFilter(Schema):
    status: Literal["active", "ended", "discontinued", "error"] | None = None
    client_id: int | None = None


class SessionIn(Schema):
    model_config = FORBID

    date: dt.date
    attendance: Attendance
    notes: Text = ""
    modality: Modality = "in_person"
    techniques: list[Code] = Field(default_factory=list, max_length=20)
    strategies: list[Text] = Field(default_factory=list, max_length=30)
    between_sessions_work: Text = ""
    mood_event_link: Text = ""
    tasks_done: list[Code] = Field(default_factory=list, max_length=30)


class SessionOut(Schema):
    id: int
    course_id: int
    number: int
    phase: str
    date: dt.date
    attendance: str
    modality: str
    is_engagement: bool
    techniques: list[str]
    strategies: list[str]
    between_sessions_work: str
    mood_event_link: str
    notes: str


class ContractIn(Schema):
    model_config = FORBID

    planned_sessions: Count
    frequency: FrequencyCode
    agreed_on: dt.date | None = None
    reason: Text = ""


class ContractRow(Schema):
    planned_sessions: int
    frequency: str
    agreed_on: dt.date
    is_renegotiation: bool
    reason: str


class ContractOut(ContractRow):
    changed: bool
    notices: list[Notice]
    history: list[ContractRow]


def contract_out(change: ContractChange) -> dict[str, Any]:
    contract = change.contract
    return {
        **{name: getattr(contract, name) for name in ContractRow.model_fields},
        "changed": change.changed,
        "notices": change.notices,
        "history": list(contract.course.contracts.all()),
    }


class FocusAreaIn(Schema):
    model_config = FORBID

    area: AreaCode
    dispute_stage: StageCode | None = None
    reason: Text = ""
    deficits_confirmed: StrictBool = False


class FocusIn(Schema):
    model_config = FORBID

    areas: list[FocusAreaIn] = Field(..., max_length=4)


class FocusResult(Schema):
    areas: list[FocusOut]
    changed: bool
    notices: list[Notice]


def focus_result(change) -> dict[str, Any]:
    return {"areas": change.foci, "changed": change.changed, "notices": change.notices}


class GoalIn(Schema):
    model_config = FORBID

    id: StrictInt | None = None
    text: Annotated[StrictStr, Field(max_length=500)]
    status: GoalStatus = "open"
    after_treatment: StrictBool = False


class GoalsIn(Schema):
    model_config = FORBID

    goals: list[GoalIn] = Field(..., max_length=20)


REVIEW_FIELDS = (
    "why_better",
    "achieved",
    "not_achieved",
    "feelings_about_ending",
    "anticipated_problems",
    "warning_signs",
    "what_helps",
    "people_to_tell",
    "whom_to_contact",
)


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    how: Literal["dropped_out", "opened_in_error"]
    reason: StrictStr = Field(..., min_length=1, max_length=1000)
    ended_on: dt.date | None = None


class TerminationIn(Schema):
    """Review and relapse-plan fields left out keep their saved value."""

    model_config = FORBID

    ending_raised_on: dt.date | None = None
    why_better: Text | None = None
    achieved: Text | None = None
    not_achieved: Text | None = None
    feelings_about_ending: Text | None = None
    anticipated_problems: Text | None = None
    response: Response | None = None
    maintenance_discussed: StrictBool | None = None
    warning_signs: Text | None = None
    what_helps: Text | None = None
    people_to_tell: Text | None = None
    whom_to_contact: Text | None = None
    decision: Decision | None = Field(None, description="Ends the course when given")
    detail: Text = ""
    maintenance_frequency: FrequencyCode | None = None
    maintenance_months: Annotated[StrictInt, Field(ge=1, le=120)] | None = None
    continuation_sessions: Count | None = None
    ended_on: dt.date | None = None

    def service_kwargs(self) -> dict[str, Any]:
        """Return the service's arguments: sent fields only, nulls as blanks."""
        sent = self.model_dump(exclude_unset=True)
        kwargs: dict[str, Any] = {
            "decision": sent.pop("decision", None) or "",
            "detail": sent.pop("detail", ""),
            "maintenance_frequency": sent.pop("maintenance_frequency", None) or "",
            "maintenance_months": sent.pop("maintenance_months", None),
            "continuation_sessions": sent.pop("continuation_sessions", None),
            "ended_on": sent.pop("ended_on", None),
        }
        for name, value in sent.items():
            if name == "maintenance_discussed" and value is None:
                continue
            kwargs[name] = "" if value is None and name != "ending_raised_on" else value
        return kwargs


class ReviewOut(Schema):
    ending_raised_on: dt.date | None
    why_better: str
    achieved: str
    not_achieved: str
    feelings_about_ending: str
    anticipated_problems: str
    response: str
    maintenance_discussed: bool
    reviewed_on: dt.date


class RelapsePlanOut(Schema):
    warning_signs: str
    what_helps: str
    people_to_tell: str
    whom_to_contact: str


class TerminationOut(Schema):
    ended: bool
    course: CourseOut
    follow_on: CourseOut | None
    review: ReviewOut
    relapse_plan: RelapsePlanOut
    notices: list[Notice]


def termination_out(ending: Ending, course: Course, follow_on: Course | None) -> dict[str, Any]:
    return {
        "ended": ending.ended,
        "course": course,
        "follow_on": follow_on,
        "review": ending.review,
        "relapse_plan": ending.plan,
        "notices": ending.notices,
    }
