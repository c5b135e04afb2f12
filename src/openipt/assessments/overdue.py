"""When a due questionnaire is overdue: one rule for the caseload's badge and the supervisor's
"Measures overdue", in Python for one course and in SQL for many (a test pins them equal).

A course is overdue when it is active, a questionnaire is due at its next session, and that
session should have happened: one interval (by the contracted frequency: 7, 14 or 31 days,
else 7) after the last attended session, or after the start when none has been held, plus
OPENIPT_MEASURE_OVERDUE_GRACE_DAYS.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from openipt.courses.models import Course, Frequency
from openipt.insights import conf

FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14, Frequency.MONTHLY: 31}
DEFAULT_INTERVAL = 7


def interval_days(frequency: str) -> int:
    """Return the days between sessions at this frequency (7 when none is set)."""
    return FREQUENCY_DAYS.get(frequency, DEFAULT_INTERVAL)  # type: ignore[call-overload]


def is_overdue(course: Course, today: date) -> bool:
    """Return whether this course's due questionnaire is overdue today."""
    if course.status != Course.Status.ACTIVE or not course.measure_due:
        return False
    since = course.last_session_on or course.started_on
    late_after = interval_days(course.frequency) + conf.overdue_grace_days()
    return since < today - timedelta(days=late_after)


def overdue_q(today: date) -> Q:
    """Return the same rule as a condition on course rows, for counts and lists."""
    grace = conf.overdue_grace_days()
    late = Q()
    for frequency, days in [*FREQUENCY_DAYS.items(), (None, DEFAULT_INTERVAL)]:
        cutoff = today - timedelta(days=days + grace)
        which = Q(frequency=frequency) if frequency else ~Q(frequency__in=list(FREQUENCY_DAYS))
        held = Q(last_session_on__isnull=False, last_session_on__lt=cutoff)
        none_held = Q(last_session_on__isnull=True, started_on__lt=cutoff)
        late |= which & (held | none_held)
    return Q(status=Course.Status.ACTIVE) & Q(measure_due=True) & late
