"""Correct a course's details: start date, format, referrer and onset of symptoms.

A mistyped start (1990 for 2026) or a format chosen in error is corrected on the course, and
the previous values are kept as an amendment (`openipt.courses.amendments`). The start date
passes the same plausibility checks as when the course was opened (a start long past is
confirmed). The format can be corrected only before a contract is agreed or a session is
recorded: after that the sessions' phases and the contract were decided by it, and a course
in the wrong format is closed as opened in error and opened again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from openipt.assessments.summary import refresh_course_summary
from openipt.courses.amendments import Amendable, amend, previous_rows
from openipt.courses.checks import (
    check_past,
    check_plausible_start,
    check_writer,
    clean_text,
    lock,
    protocol_errors,
)
from openipt.courses.intake import check_age
from openipt.courses.models import Course, CourseAmendment
from openipt.courses.models import Format as CourseFormat
from openipt.protocol.formats import get_format
from openipt.protocol.rules import check_contract

LABELS = {
    "started_on": "Start date",
    "format": "IPT format",
    "referrer": "Referred by",
    "symptom_onset": "Onset of symptoms",
}


def _clean(course: Course, name: str, value: Any) -> Any:
    if name == "referrer":
        return clean_text(value, "referrer", max_length=200)
    if name == "format":
        return _check_format(course, value)
    if value is None and name == "symptom_onset":
        return None
    if not isinstance(value, dt.date):
        raise ValidationError({name: "Enter a date."})
    label = "The start date" if name == "started_on" else "The onset of symptoms"
    check_past(value, name, label)
    if name == "started_on" and value != course.started_on:
        _check_start_fits(course, value)
    return value


def _check_start_fits(course: Course, value: dt.date) -> None:
    """Keep every session and the end of the course on or after the start."""
    first = course.sessions.order_by("date").values_list("date", flat=True).first()
    if first is not None and value > first:
        raise ValidationError(
            {"started_on": f"The course cannot start after its first session ({first:%-d %b %Y})."}
        )
    if course.ended_on is not None and value > course.ended_on:
        raise ValidationError({"started_on": "The course cannot start after it ended."})


def _check_format(course: Course, value: Any) -> str:
    if not isinstance(value, str) or value not in CourseFormat.values:
        raise ValidationError({"format": f"Choose a format: {', '.join(CourseFormat.values)}."})
    if value != course.format and (course.contract_agreed_on or course.sessions.exists()):
        raise ValidationError(
            {
                "format": "The format cannot change once a contract is agreed or a session is "
                "recorded: close this course as opened in error and open one in the right format."
            },
            code="format_fixed",
        )
    return value


COURSE = Amendable(tuple(LABELS), LABELS, _clean, always=False)


def previous_details(amendment: CourseAmendment) -> list[tuple[str, Any]]:
    """Return what each corrected detail said before, a format by its name."""
    formats = dict(CourseFormat.choices)
    return [
        (label, formats.get(value, value) if label == LABELS["format"] else value)
        for label, value in previous_rows(amendment, LABELS)
    ]


@transaction.atomic
def amend_course(
    actor: Any,
    course: Course,
    *,
    reason: str = "",
    confirm_old_start: bool = False,
    **changes: Any,
) -> Course:
    """Change the course's details; a value that was recorded is kept as an amendment.

    Filling an empty detail (a referrer added later) needs no reason; changing a recorded
    one does, and every refusal is reported together.
    """
    check_writer(actor, course)
    locked = lock(course)

    def together(cleaned: dict[str, Any]) -> None:
        start = cleaned.get("started_on", locked.started_on)
        fmt = get_format(cleaned.get("format", locked.format))
        if start != locked.started_on:
            check_plausible_start(locked.client, start, confirmed=confirm_old_start)
        if start != locked.started_on or fmt.code != locked.format:
            check_age(fmt, locked.client, start)
        if fmt.code != locked.format:
            with protocol_errors("format"):
                planned = locked.planned_sessions or fmt.default_sessions
                check_contract(fmt, planned, fmt.default_frequency.value)

    _, previous = amend(
        actor,
        locked,
        COURSE,
        CourseAmendment,
        reason=reason,
        changes=changes,
        link="course",
        extra=together,
    )
    if "format" in previous:
        # The contract is not agreed yet (checked above): start from the new format's.
        locked.frequency = get_format(locked.format).default_frequency.value
        locked.intake_flags = []
        locked.save(update_fields=["frequency", "intake_flags", "updated_at"])
    elif previous:
        locked.save(update_fields=["updated_at"])
    if {"format", "started_on"} & set(previous):
        refresh_course_summary(locked, force=True)
    return locked
