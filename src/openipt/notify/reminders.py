"""Reminders to clients who agreed to them: a questionnaire due, one left half-done, work
from the last session. By their preferred channel, never in quiet hours, never saying more
than that something waits in the portal (no instrument, answer, score or task text).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openipt.courses.models import Course
from openipt.notify.hours import after_quiet_hours
from openipt.notify.models import ClientContact, Notification
from openipt.notify.outbox import queue_message
from openipt.portal.conf import base_url
from openipt.portal.questionnaires import due_questionnaires

# A draft untouched this long gets one reminder; undone tasks this many days after a session.
DRAFT_IDLE = datetime.timedelta(hours=24)
TASK_DAYS = 2

TEXTS = {
    "questionnaire": "You have a questionnaire to fill in before your next appointment.",
    "unfinished": "You started a questionnaire and have not finished it yet.",
    "task": "You have something from your last appointment to look at.",
}


def _due(course: Course, now: datetime.datetime) -> list[tuple[str, str]]:
    """Return (kind, reference) for each reminder this course's client may be owed."""
    found = []
    period = course.last_session_on or course.started_on
    for due in due_questionnaires(course):
        if due.draft is None:
            found.append(("questionnaire", f"{due.code}:{period:%Y%m%d}"))
        elif now - due.draft.updated_at >= DRAFT_IDLE:
            found.append(("unfinished", f"{due.draft.pk}"))
    last = course.sessions.filter(client_tasks__isnull=False).order_by("-date").first()
    if last is None or (timezone.localdate(now) - last.date).days < TASK_DAYS:
        return found
    if last.client_tasks.filter(done_at=None).exists():
        found.append(("task", f"{last.pk}"))
    return found


def _address(contact: ClientContact) -> tuple[str, str] | None:
    if contact.channel == ClientContact.Channel.SMS:
        return (Notification.Channel.SMS, contact.mobile) if contact.mobile else None
    email = contact.client.email
    return (Notification.Channel.EMAIL, email) if email else None


def remind_clients(now: datetime.datetime | None = None) -> int:
    """Write each reminder owed (once per questionnaire, draft or session); return how many."""
    now = now or timezone.now()
    send_at = after_quiet_hours(now)
    contacts = ClientContact.objects.filter(
        reminders_agreed=True, client__erasure__isnull=True
    ).select_related("client")
    written = 0
    for contact in contacts.iterator():
        target = _address(contact)
        course = contact.client.courses.filter(status=Course.Status.ACTIVE).order_by("-pk").first()
        if target is None or course is None:
            continue
        channel, address = target
        for kind, ref in _due(course, now):
            body = (
                f"{settings.OPENIPT_SERVICE_NAME}: {TEXTS[kind]} "
                f"Sign in to your portal: {base_url()}/portal/"
            )
            with transaction.atomic():
                made = queue_message(
                    key=f"reminder:{kind}:{course.pk}:{ref}", kind=Notification.Kind.REMINDER,
                    channel=channel, subject=f"{settings.OPENIPT_SERVICE_NAME}: a reminder",
                    body=body, user=contact.client.user, address=address, not_before=send_at,
                )  # fmt: skip
            written += made is not None
    return written
