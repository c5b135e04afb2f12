"""Checks every course service shares: who may write, dates, and protocol refusals.

The IPT rules themselves live in `openipt.protocol`; this module only turns their refusals
into the `ValidationError` every front end knows how to show.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from openipt import policy
from openipt.courses.models import Course
from openipt.protocol.errors import ProtocolError

# Which input field a protocol refusal blames, so forms can put the message next to it.
FIELD_OF_CODE: Mapping[str, str] = {
    "unknown_format": "format",
    "sessions_out_of_bounds": "planned_sessions",
    "not_a_count": "planned_sessions",
    "bad_planned": "planned_sessions",
    "frequency_not_allowed": "frequency",
    "no_change": "planned_sessions",
    "reason_required": "reason",
    "contract_required": "__all__",
    "unknown_area": "areas",
    "focus_missing": "areas",
    "focus_duplicate": "areas",
    "focus_too_many": "areas",
    "dispute_and_transition": "areas",
    "second_area_needs_reason": "reason",
    "dispute_stage_required": "dispute_stage",
    "unknown_dispute_stage": "dispute_stage",
    "deficits_not_confirmed": "deficits_confirmed",
    "unknown_decision": "decision",
    "relapse_plan_required": "warning_signs",
    "maintenance_frequency_required": "maintenance_frequency",
    "maintenance_duration_required": "maintenance_months",
    "continuation_sessions_required": "continuation_sessions",
    "detail_required": "detail",
    "unknown_task": "task_id",
    "unknown_technique": "techniques",
}


@contextmanager
def protocol_errors(field: str | None = None) -> Iterator[None]:
    """Turn a ProtocolError into a ValidationError on the field it concerns."""
    try:
        yield
    except ProtocolError as exc:
        where = field or FIELD_OF_CODE.get(exc.code, "__all__")
        error = ValidationError(exc.message, code=exc.code)
        if where == "__all__":
            raise error from None
        raise ValidationError({where: error}) from None


def check_writer(actor, course: Course) -> None:
    """Refuse anyone but the course's own therapist."""
    policy.check_write_course(actor, course)


def check_active(course: Course) -> None:
    """Refuse changes to a course that has ended: its record is closed."""
    if course.status != Course.Status.ACTIVE:
        state = "has ended" if course.status == Course.Status.ENDED else "was discontinued"
        raise ValidationError(
            f"This course {state}, so it cannot be changed. Record new work in a course "
            "that follows it (for example the maintenance course).",
            code="course_closed",
        )


def lock(course: Course) -> Course:
    """Return the course row locked for this transaction, so summaries stay consistent."""
    return (
        Course.objects.select_for_update().select_related("client", "therapist").get(pk=course.pk)
    )


def today() -> date:
    return timezone.localdate()


def check_past(value: date | None, field: str, label: str) -> None:
    """Refuse a date in the future: records say what happened."""
    if value is not None and value > today():
        raise ValidationError({field: f"{label} cannot be in the future."}, code="future_date")


EARLIEST_DATE = date(1900, 1, 1)


def check_plausible_start(client, started_on: date, *, confirmed: bool) -> None:
    """Refuse a start before the client was born or before 1900, and a start longer ago
    than OPENIPT_OLD_START_DAYS unless the therapist confirms it (a mistyped year, such as
    1990 for 2026, is the usual cause)."""
    born = client.date_of_birth
    if started_on < EARLIEST_DATE or (born is not None and started_on < born):
        raise ValidationError(
            {"started_on": "The start date is before the client was born: check the year."},
            code="implausible_date",
        )
    limit = int(settings.OPENIPT_OLD_START_DAYS)
    if not confirmed and (today() - started_on).days > limit:
        when = started_on.strftime("%-d %b %Y")
        raise ValidationError(
            {
                "started_on": f"The start date ({when}) is more than {limit} days ago. Check "
                "the year; if it is right, confirm it and save again."
            },
            code="old_start",
        )


def check_not_before_start(course: Course, value: date | None, field: str, label: str) -> None:
    """Refuse a date before the course started."""
    if value is not None and value < course.started_on:
        started = course.started_on.strftime("%-d %b %Y")
        raise ValidationError(
            {field: f"{label} cannot be before the course started ({started})."},
            code="before_start",
        )


def clean_text(value: object, field: str, *, max_length: int | None = None) -> str:
    """Return the text stripped; refuse non-text, control characters and overlong text."""
    from openipt.core.validators import no_control_characters

    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: "Enter text here."}, code="not_text")
    text = value.strip()
    try:
        no_control_characters(text)
    except ValidationError as exc:
        raise ValidationError({field: exc}) from None
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            {field: f"Keep this to {max_length} characters (it has {len(text)})."},
            code="too_long",
        )
    return text


def check_choice(value: object, choices: type, field: str, label: str) -> str:
    """Refuse a value that is not one of the model choices."""
    allowed = [str(v) for v in choices.values]  # type: ignore[attr-defined]
    if value not in allowed:
        raise ValidationError(
            {field: f"{label} must be one of {', '.join(allowed)}, not {value!r}."},
            code="invalid_choice",
        )
    return str(value)
