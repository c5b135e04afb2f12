"""API schemas of the groups router (no `from __future__`: ninja reads them at run time)."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

Status = Literal["present", "absent", "excused"]


class GroupIn(Schema):
    programme: str = Field(..., max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    site: str = Field("", max_length=200)
    supervisor_username: str = Field(..., max_length=150)
    facilitator_usernames: list[str] = Field(..., min_length=1, max_length=10)
    composition: str = Field("", max_length=12)
    planned_size: StrictInt | None = Field(None, ge=1, le=50)


class GroupOut(Schema):
    id: int
    programme: str
    name: str
    site: str
    status: str
    composition: str
    planned_size: int
    started_on: datetime.date | None
    ended_on: datetime.date | None
    clinician: str
    supervisor: str
    facilitators: list[str]

    @staticmethod
    def resolve_clinician(group: Any) -> str:
        return str(group.clinician)

    @staticmethod
    def resolve_supervisor(group: Any) -> str:
        return str(group.supervisor)

    @staticmethod
    def resolve_facilitators(group: Any) -> list[str]:
        return [str(f) for f in group.facilitators.all()]


class MemberOut(Schema):
    id: int
    group_id: int
    client_id: int
    course_id: int
    name: str
    sex: str
    problem_area: str
    joined_on: datetime.date
    left_on: datetime.date | None
    leave_reason: str
    next_step: str


class EnrolIn(Schema):
    screening_id: StrictInt
    problem_area: str = Field(..., max_length=32)
    pre_group_on: datetime.date
    pre_group_tasks: list[str] = Field(default_factory=list, max_length=20)
    onset_link: str = Field("", max_length=2000)


class LeaveIn(Schema):
    left_on: datetime.date
    reason: str = Field(..., max_length=20)


class NextStepIn(Schema):
    step: str = Field(..., max_length=16)
    note: str = Field("", max_length=2000)


class RowIn(Schema):
    membership_id: StrictInt
    status: Status
    check_in: StrictInt | None = Field(None, ge=0, le=10)
    homework: str = Field("", max_length=300)
    homework_reviewed: StrictBool = False
    phq9: dict[str, StrictInt] | None = None
    flag: StrictBool = False


class SessionIn(Schema):
    held_on: datetime.date
    minutes: StrictInt | None = Field(None, ge=1, le=600)
    notes: str = Field("", max_length=10000)
    rows: list[RowIn] = Field(..., max_length=60)


class RowOut(Schema):
    membership_id: int
    status: str
    check_in: int | None
    homework: str
    homework_reviewed: bool
    phq9_total: int | None
    flagged: bool


class SessionOut(Schema):
    id: int
    group_id: int
    number: int
    held_on: datetime.date
    phase: str
    minutes: int
    tasks_done: list[str]
    checklist_on: datetime.date | None
    reviewed_at: datetime.datetime | None
    alerts_raised: int = 0


class SessionDetailOut(SessionOut):
    rows: list[RowOut]


class ChecklistIn(Schema):
    tasks_done: list[str] = Field(..., max_length=20)


class ScreeningIn(Schema):
    programme: str = Field(..., max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    sex: str = Field(..., max_length=8)
    screened_on: datetime.date
    phq9: dict[str, StrictInt]
    exclusions: list[str] = Field(default_factory=list, max_length=10)
    site: str = Field("", max_length=200)
    date_of_birth: datetime.date | None = None
    previous_id: StrictInt | None = None


class ScreeningOut(Schema):
    id: int
    programme: str
    name: str
    sex: str
    screened_on: datetime.date
    round: int
    phq9_total: int
    exclusions: list[str]
    outcome: str
    client_id: int | None


class RateOut(Schema):
    count: int
    total: int
    percent: str


class DenominatorOut(Schema):
    denominator: str
    label: str
    members: int
    measured: int
    mean_change: float | None
    recovery: RateOut
    remission: RateOut
    reliable_improvement: RateOut


class CostOut(Schema):
    facilitator_hours: Decimal
    total: Decimal
    per_member_treated: Decimal | None
    per_completer: Decimal | None
    currency: str


class FollowUpOut(Schema):
    """One scheduled follow-up point: its window in days after the group's end, the members
    due (their group ended at least `window_first_day` days ago) and the outcomes over the
    three denominators; a member without a score in the window counts as not measured."""

    months: int
    window_first_day: int
    window_last_day: int
    due: int
    denominators: list[DenominatorOut]


class OutcomesOut(Schema):
    enrolled: int
    attended_at_least_one: int
    completed: int
    retention: RateOut
    attendance: RateOut
    denominators: list[DenominatorOut]
    cost: CostOut | None
    follow_ups: list[FollowUpOut] = []
