"""REST schemas for corrections of a course's record (used by `openipt.api.courses`).

No `from __future__ import annotations`: django-ninja and pydantic read the annotations at
run time. The field names are the record's own, so a correction reads like the record.
"""

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StrictBool, StrictStr

from openipt.courses.schemas import FORBID, FormatCode, Modality, Text

Reason = Annotated[StrictStr, Field(max_length=1000, description="Why the record is changed.")]


class CoursePatch(Schema):
    """Fields left out keep their value; changing a recorded value needs `reason`."""

    model_config = FORBID

    symptom_onset: dt.date | None = None
    referrer: Annotated[StrictStr, Field(max_length=200)] | None = None
    started_on: dt.date | None = None
    format: FormatCode | None = None
    reason: Reason = ""
    confirm_old_start: StrictBool = Field(
        False, description="The start date is right although it is long ago."
    )

    def changes(self) -> dict[str, Any]:
        """Return the fields sent; a null referrer means "none" (blank)."""
        data = self.model_dump(exclude_unset=True)
        if "referrer" in data and data["referrer"] is None:
            data["referrer"] = ""
        for name in ("started_on", "format"):
            if name in data and data[name] is None:
                data.pop(name)
        return data


class SessionPatch(Schema):
    """A correction of a session: the fields sent change, the previous values are kept."""

    model_config = FORBID

    reason: Reason
    date: dt.date | None = None
    modality: Modality | None = None
    notes: Text | None = None
    between_sessions_work: Text | None = None
    mood_event_link: Text | None = None

    def changes(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, exclude={"reason"})
        return {name: value for name, value in data.items() if value is not None}


class AmendmentOut(Schema):
    kind: str = Field(..., description='"course", "session" or "questionnaire".')
    record_id: int
    record: str
    changed_at: dt.datetime
    changed_by: str
    reason: str
    previous: dict[str, Any] = Field(..., description="Each changed field's value before.")

    @staticmethod
    def resolve_previous(obj: Any) -> dict[str, Any]:
        return dict(obj.values)
