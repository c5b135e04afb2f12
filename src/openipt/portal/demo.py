"""Demo portal data for Maya Thompson (DEMO-0001, account demo-client). Idempotent.

Her invitation is shown as already used, the work agreed in her latest session becomes her
task list, and she has two weeks of daily log. Without her course this does nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from openipt.clients.models import Client
from openipt.courses.models import Course, Session
from openipt.portal.links import digest_of, new_code
from openipt.portal.models import MoodEntry, PortalLink
from openipt.portal.services import current_course
from openipt.portal.tasks import sync_session_tasks

RECORD = "DEMO-0001"
DEMO_WORK = "Call my sister to plan a weekend walk\nGo to the Thursday choir rehearsal"
# (days ago, mood, contacts, note): mood lifting as contacts pick up, as in her story.
DEMO_LOG = [
    (13, 4, 0, "Stayed in."), (12, 4, 1, ""), (11, 5, 1, "Phoned Mum."), (10, 4, 0, ""),
    (9, 5, 2, "Coffee with Sam."), (8, 6, 2, ""), (7, 5, 1, ""), (6, 6, 3, "Choir."),
    (5, 6, 2, ""), (4, 7, 3, "Walk with my sister."), (3, 6, 1, ""), (2, 7, 2, ""),
    (1, 7, 4, "Neighbour's barbecue."),
]  # fmt: skip


def extend_demo(summary: Any) -> None:
    """Give the demo client a used invitation, tasks and a daily log, once."""
    client = Client.objects.filter(record_number=RECORD).select_related("user").first()
    course = current_course(client) if client is not None else None
    if client is None or course is None or client.user is None:
        return
    notes = []
    if not client.portal_links.exists():
        _used_invitation(client, course)
        notes.append("a used invitation")
    if _tasks(course):
        notes.append("tasks")
    if course.status == Course.Status.ACTIVE and not course.mood_entries.exists():
        _mood_log(course)
        notes.append("a daily log")
    if notes and hasattr(summary, "notes"):
        summary.notes.append(f"portal: {', '.join(notes)} for {client.name}")


def _used_invitation(client: Client, course: Course) -> None:
    when = timezone.make_aware(datetime.datetime.combine(course.started_on, datetime.time(9)))
    link = PortalLink.objects.create(
        client=client,
        kind=PortalLink.Kind.INVITATION,
        digest=digest_of(PortalLink.Kind.INVITATION, new_code()),
        created_by=course.therapist,
        expires_at=when + datetime.timedelta(days=7),
        used_at=when + datetime.timedelta(hours=5),
    )
    PortalLink.objects.filter(pk=link.pk).update(created_at=when)


def _tasks(course: Course) -> bool:
    """Turn the latest session's agreed work into tasks, writing some work if it has none."""
    session = (
        course.sessions.filter(attendance=Session.Attendance.ATTENDED).order_by("-date").first()
    )
    if session is None or course.client_tasks.exists():
        return False
    if not session.between_sessions_work.strip():
        Session.objects.filter(pk=session.pk).update(between_sessions_work=DEMO_WORK)
        session.between_sessions_work = DEMO_WORK
    tasks = sync_session_tasks(session)
    if tasks:
        tasks[0].done_at = timezone.now() - datetime.timedelta(days=2)
        tasks[0].save(update_fields=["done_at"])
    return bool(tasks)


def _mood_log(course: Course) -> None:
    today = timezone.localdate()
    MoodEntry.objects.bulk_create(
        MoodEntry(
            course=course,
            date=today - datetime.timedelta(days=days),
            mood=mood,
            contacts=contacts,
            note=note,
        )
        for days, mood, contacts, note in DEMO_LOG
        if today - datetime.timedelta(days=days) >= course.started_on
    )
