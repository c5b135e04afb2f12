"""The weekly digest for supervisors: how many open alerts, courses not on track and overdue
measures their team has, and a link; counts only, no client named."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from openipt.assessments.models import Alert
from openipt.insights import supervision
from openipt.notify.models import Notification, StaffPreference
from openipt.notify.outbox import queue_message
from openipt.portal.conf import base_url


def figures(supervisor) -> dict[str, int]:
    """Return the counts the digest gives, through the dashboard's own definitions."""
    courses = supervision.team_courses(supervisor)
    return {
        "open_alerts": Alert.objects.visible_to(supervisor).open().count(),
        "not_on_track": courses.filter(supervision.not_on_track_q()).count(),
        "measures_overdue": courses.filter(supervision.measures_overdue_q()).count(),
    }


def _body(counts: dict[str, int]) -> str:
    return (
        "Your team this week:\n"
        f"- open risk alerts: {counts['open_alerts']}\n"
        f"- courses not on track: {counts['not_on_track']}\n"
        f"- courses with measures overdue: {counts['measures_overdue']}\n\n"
        f"The supervisor dashboard (sign in first): {base_url()}/insights/\n"
    )


def send_digests(now: datetime.datetime | None = None) -> int:
    """Write this week's digest for each supervisor who wants it; return how many."""
    now = now or timezone.now()
    year, week, _ = timezone.localdate(now).isocalendar()
    opted_out = StaffPreference.objects.filter(weekly_digest=False).values("user_id")
    supervisors = (
        get_user_model()
        .objects.filter(role="supervisor", is_active=True)
        .exclude(email="")
        .exclude(pk__in=opted_out)
    )
    written = 0
    for supervisor in supervisors.order_by("pk"):
        with transaction.atomic():
            made = queue_message(
                key=f"digest:{supervisor.pk}:{year}-{week:02d}", kind=Notification.Kind.DIGEST,
                channel=Notification.Channel.EMAIL,
                subject=f"{settings.OPENIPT_SERVICE_NAME}: your team this week",
                body=_body(figures(supervisor)), user=supervisor, address=supervisor.email,
            )  # fmt: skip
        written += made is not None
    return written
