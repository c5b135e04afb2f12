"""Follow-up PHQ-9s after a group has ended, at the points its programme schedules.

A follow-up is an ordinary PHQ-9 on the member's course, entered through
`assessments.services.submit_assessment`, so a risk answer raises an alert as everywhere.
Which point (6 or 12 months) it belongs to is worked out from its day relative to the group's
end (`outcomes.follow_up_point`); nothing new is stored. The group's clinician enters it: a
facilitator gives the PHQ-9 at the group's sessions only (policy.may_record_group_score).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from openipt import policy
from openipt.assessments.services import (
    AnswersRefused,
    Submitted,
    raise_risk_alerts,
    submit_assessment,
)
from openipt.groups.models import Group, GroupMembership
from openipt.groups.outcomes import FollowUpWindow, follow_up_point
from openipt.groups.reports import windows_of


def window_dates(group: Group, window: FollowUpWindow) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day of a point's window for this group (it has ended)."""
    assert group.ended_on is not None
    start = group.ended_on
    return (
        start + datetime.timedelta(days=window.first),
        start + datetime.timedelta(days=window.last),
    )


def date_problem(group: Group, completed_on: datetime.date) -> tuple[str, str] | None:
    """Return (field, why) a follow-up on this day cannot be recorded for the group, or None."""
    windows = windows_of(group.programme)
    if not windows:
        return "group", "This programme schedules no follow-up."
    if group.status != Group.Status.ENDED or group.ended_on is None:
        return "group", "A follow-up is recorded after the group has ended."
    if follow_up_point(windows, (completed_on - group.ended_on).days) is not None:
        return None
    spans = "; ".join(
        "{} months: {} to {}".format(w.months, *(f"{d:%-d %b %Y}" for d in window_dates(group, w)))
        for w in windows
    )
    return "completed_on", f"The date is outside every follow-up window ({spans})."


def record_follow_up(
    actor: Any,
    member: GroupMembership,
    completed_on: datetime.date,
    answers: Mapping[str, object],
) -> Submitted:
    """Record a member's follow-up PHQ-9 on their course, dated the day it was completed.

    A risk answer is committed as an alert first, even when the day is refused (the alert
    is reused when the form comes back with the day corrected). Must run outside the
    caller's transaction, as submit_assessment must.
    """
    group = Group.objects.get(pk=member.group_id)  # its status now, not when it was read
    policy.check_manage_group(actor, group)
    problem = date_problem(group, completed_on)
    if problem is not None:
        alerts = raise_risk_alerts(actor, member.course, "phq9", answers, "clinician")
        if alerts:
            raise AnswersRefused([problem], alerts)
        raise ValidationError({problem[0]: problem[1]})
    return submit_assessment(
        actor, member.course, "phq9", answers, completed_by="clinician", completed_on=completed_on
    )
