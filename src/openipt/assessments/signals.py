"""Keep the course summary current when sessions or courses are saved.

The course engine records a new session inside `summary.kept_by_caller` and updates the
summary incrementally itself; every other save or delete of a session (an edit, an import,
a test's row) recomputes it in full here. A course saved without changing an input is a
no-op thanks to the memo in `summary`.
"""

from __future__ import annotations

from typing import Any

from openipt.assessments.summary import is_kept, refresh_course_summary
from openipt.courses.models import Course, Session

# A course save that touches none of these cannot change the summary.
COURSE_INPUTS = frozenset({"status", "planned_sessions", "format", "ended_on"})


def session_saved(sender: type, instance: Session, raw: bool = False, **kwargs: Any) -> None:
    """Refresh after a session is recorded or changed: attendance, finished, measure due."""
    if raw or is_kept(instance.course_id):
        return
    refresh_course_summary(_course_of(instance), force=True)


def session_deleted(sender: type, instance: Session, origin: Any = None, **kwargs: Any) -> None:
    """Refresh after a session is deleted, unless the whole course is going."""
    if isinstance(origin, Course):
        return
    if Course.objects.filter(pk=instance.course_id).exists():
        refresh_course_summary(_course_of(instance), force=True)


def course_saved(
    sender: type,
    instance: Course,
    created: bool = False,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    """Refresh when a course starts, ends or changes its contract (no-op if nothing changed)."""
    if raw or (update_fields is not None and not COURSE_INPUTS & set(update_fields)):
        return
    refresh_course_summary(instance, force=created)


def _course_of(session: Session) -> Course:
    # Reuse the caller's course object when it is loaded, so it sees the new values.
    if Session.course.is_cached(session):  # type: ignore[attr-defined]
        return session.course
    return Course(pk=session.course_id)
