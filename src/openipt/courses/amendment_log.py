"""Every correction of a course's record in one list: details, sessions and questionnaires.

The course page, the REST API and `openipt course amendments` read it. Psychotherapy notes
are left out: their earlier versions are their author's alone (privacy.views_notes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openipt.assessments.corrections import previous_rows as answer_rows
from openipt.assessments.display import short_name
from openipt.assessments.models import AdministrationAmendment
from openipt.courses import corrections
from openipt.courses.amendments import previous_rows, stored
from openipt.courses.models import Course, CourseAmendment, SessionAmendment
from openipt.measures import get_instrument


@dataclass(frozen=True)
class Entry:
    """One amendment: what was corrected, by whom, when, why, and what it said before."""

    kind: str  # "course", "session" or "questionnaire"
    record_id: int
    record: str
    changed_at: dt.datetime
    changed_by: str
    reason: str
    previous: list[tuple[str, Any]]  # by label, to show
    values: dict[str, Any]  # by field name, as stored (the API's)


def course_amendments(course: Course) -> list[Entry]:
    """Return the course's amendments, newest first (three queries)."""
    entries = [
        Entry(
            "course",
            course.pk,
            "Course details",
            a.changed_at,
            str(a.changed_by),
            a.reason,
            corrections.previous_details(a),
            stored(a),
        )
        for a in CourseAmendment.objects.filter(course=course).select_related("changed_by")
    ]
    sessions = SessionAmendment.objects.filter(session__course=course).select_related(
        "changed_by", "session"
    )
    entries += [
        Entry(
            "session",
            a.session_id,
            _session_label(a.session),
            a.changed_at,
            str(a.changed_by),
            a.reason,
            previous_rows(a),
            stored(a),
        )
        for a in sessions
    ]
    answers = AdministrationAmendment.objects.filter(administration__course=course).select_related(
        "changed_by", "administration"
    )
    entries += [
        Entry(
            "questionnaire",
            a.administration_id,
            _questionnaire_label(a.administration),
            a.changed_at,
            str(a.changed_by),
            a.reason,
            answer_rows(a),
            stored(a),
        )
        for a in answers
    ]
    return sorted(entries, key=lambda e: e.changed_at, reverse=True)


def _session_label(session: Any) -> str:
    if session.attendance == "attended":
        return f"Session {session.number}, {session.date:%-d %b %Y}"
    return f"{session.get_attendance_display()} session, {session.date:%-d %b %Y}"


def _questionnaire_label(admin: Any) -> str:
    name = short_name(get_instrument(admin.instrument, admin.version))
    return f"{name}, {admin.completed_at:%-d %b %Y}"
