"""The history taken in the initial phase: psychiatric history before the diagnosis is named
[S2], [S134], and the interpersonal history around the inventory and the timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from openipt.courses.checks import (
    check_not_before_start,
    check_past,
    check_writer,
    clean_text,
    lock,
    today,
)
from openipt.courses.models import ClinicalHistory, Course


@transaction.atomic
def record_history(
    actor: Any,
    course: Course,
    *,
    psychiatric_history: str = "",
    interpersonal_history: str = "",
    recorded_on: date | None = None,
) -> ClinicalHistory:
    """Save the course's history; at least one part is written."""
    check_writer(actor, course)
    locked = lock(course)
    psychiatric = clean_text(psychiatric_history, "psychiatric_history")
    interpersonal = clean_text(interpersonal_history, "interpersonal_history")
    if not (psychiatric or interpersonal):
        raise ValidationError(
            {"psychiatric_history": "Write the psychiatric or the interpersonal history."}
        )
    recorded_on = recorded_on or today()
    check_past(recorded_on, "recorded_on", "The date")
    check_not_before_start(locked, recorded_on, "recorded_on", "The date")
    record, _ = ClinicalHistory.objects.update_or_create(
        course=locked,
        defaults={
            "psychiatric_history": psychiatric,
            "interpersonal_history": interpersonal,
            "recorded_on": recorded_on,
            "recorded_by": actor,
        },
    )
    return record
