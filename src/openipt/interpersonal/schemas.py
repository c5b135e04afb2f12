"""Request and response schemas of the interpersonal REST operations.

No `from __future__ import annotations`: django-ninja and pydantic read the annotations at
run time. Strict types keep `true` from being taken for a ring of 1.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict, StrictBool, StrictInt, StrictStr

from openipt.interpersonal.models import Person

Status_ = Literal["present", "deceased", "estranged", "ended"]
ConflictKind = Literal["none", "covert", "overt"]
SupportKind = Literal["confiding", "practical", "none"]
Match = Literal["yes", "no", "unclear"]
EventKind = Literal[
    "death", "conflict", "separation", "move", "job_change", "birth", "illness",
    "loss_of_contact", "other",
]  # fmt: skip
Area = Literal["grief", "role_dispute", "role_transition", "interpersonal_deficits"]
LONG = 5000


def _text(default: str | None = "", limit: int = LONG):
    return Field(default, max_length=limit)


class PersonOut(Schema):
    id: int
    course_id: int
    label: str
    ring: int
    relationship: str
    status: str
    conflict: str
    support: str | None
    expectations_match: str
    knows_about_depression: bool | None
    contact_frequency: str
    shared_activities: str
    description: str
    satisfying: str
    unsatisfying: str
    feelings: str
    expectations_self: str
    expectations_other: str
    can_talk_about: str
    cannot_talk_about: str
    changes_wished: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_support(obj: Person) -> str | None:
        return obj.support or None


class PersonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    label: StrictStr = Field(..., min_length=1, max_length=80)
    ring: StrictInt = Field(..., ge=1, le=4, description="1 (closest) to 4 (furthest)")
    relationship: StrictStr = _text("", 80)
    status: Status_ = "present"
    conflict: ConflictKind = "none"
    support: SupportKind | None = None
    expectations_match: Match = "unclear"
    knows_about_depression: StrictBool | None = None
    contact_frequency: StrictStr = _text("", 120)
    shared_activities: StrictStr = _text()
    description: StrictStr = _text()
    satisfying: StrictStr = _text()
    unsatisfying: StrictStr = _text()
    feelings: StrictStr = _text()
    expectations_self: StrictStr = _text()
    expectations_other: StrictStr = _text()
    can_talk_about: StrictStr = _text()
    cannot_talk_about: StrictStr = _text()
    changes_wished: StrictStr = _text()


class PersonPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    label: StrictStr | None = Field(None, min_length=1, max_length=80)
    ring: StrictInt | None = Field(None, ge=1, le=4, description="1 (closest) to 4 (furthest)")
    relationship: StrictStr | None = _text(None, 80)
    status: Status_ | None = None
    conflict: ConflictKind | None = None
    support: SupportKind | None = None
    expectations_match: Match | None = None
    knows_about_depression: StrictBool | None = None
    contact_frequency: StrictStr | None = _text(None, 120)
    shared_activities: StrictStr | None = _text(None)
    description: StrictStr | None = _text(None)
    satisfying: StrictStr | None = _text(None)
    unsatisfying: StrictStr | None = _text(None)
    feelings: StrictStr | None = _text(None)
    expectations_self: StrictStr | None = _text(None)
    expectations_other: StrictStr | None = _text(None)
    can_talk_about: StrictStr | None = _text(None)
    cannot_talk_about: StrictStr | None = _text(None)
    changes_wished: StrictStr | None = _text(None)


NULLABLE_PERSON = ("support", "knows_about_depression")


class EventOut(Schema):
    id: int
    course_id: int
    date: dt.date
    kind: str
    person_id: int | None
    description: str
    created_at: dt.datetime


class EventIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    kind: EventKind
    person_id: StrictInt | None = None
    description: StrictStr = _text("", 300)


class EventPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = None
    kind: EventKind | None = None
    person_id: StrictInt | None = None
    description: StrictStr | None = _text(None, 300)


class FactOut(Schema):
    ref: str
    kind: str
    text: str


class SuggestionOut(Schema):
    area: str
    label: str
    strength: str
    reasons: list[str]
    facts: list[FactOut]
    sources: list[str]


class FormulationOut(Schema):
    course_id: int
    text: str
    area: str | None
    shared_on: dt.date | None
    client_response: str
    updated_at: dt.datetime | None


class FormulationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: StrictStr = Field("", max_length=20000)
    area: Area | None = None
    shared_on: dt.date | None = None
    client_response: StrictStr = _text()


class SnapshotOut(Schema):
    kind: str
    taken_at: dt.datetime
    people: list[dict]


class SnapshotIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["intake", "termination"]


class Pages(LimitOffsetPagination):
    """Limit/offset pages with a bounded offset: SQLite cannot take an offset past 2**63."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000)
