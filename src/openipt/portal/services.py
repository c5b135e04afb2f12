"""The portal's writes and reads; the pages, the API and the CLI all come through here.

Access links live in `links`, questionnaires in `questionnaires`, tasks in `tasks`; this
module re-exports them and adds the client's daily log and the lookups every page needs.
Each write checks that the actor is the client (or, for invitations, their therapist) and
runs in one transaction.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt import policy
from openipt.clients.models import Client
from openipt.core.errors import Problems
from openipt.courses.models import Course
from openipt.portal.links import (
    IssuedLink,
    LinkRefused,
    check_link,
    invite_client,
    portal_status,
    redeem_invitation,
    request_sign_in_link,
    use_sign_in_link,
)
from openipt.portal.models import CONTACTS_MAX, MOOD_MAX, NOTE_MAX, MoodEntry
from openipt.portal.questionnaires import (
    DueQuestionnaire,
    due_questionnaires,
    finish,
    save_answer,
    skip_answer,
    start,
)
from openipt.portal.tasks import set_task_done, sync_session_tasks

__all__ = [
    "DueQuestionnaire",
    "IssuedLink",
    "LinkRefused",
    "check_link",
    "current_course",
    "due_questionnaires",
    "finish",
    "invite_client",
    "log_mood",
    "portal_status",
    "redeem_invitation",
    "request_sign_in_link",
    "save_answer",
    "set_task_done",
    "skip_answer",
    "start",
    "sync_session_tasks",
    "use_sign_in_link",
]


def current_course(client: Client) -> Course | None:
    """Return the client's active course, or else their most recent one."""
    courses = Course.objects.filter(client=client).select_related("client")
    return (
        courses.filter(status=Course.Status.ACTIVE).order_by("-started_on", "-id").first()
        or courses.order_by("-started_on", "-id").first()
    )


def _whole_number(value: object, field: str, low: int, high: int, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            {field: _("%(label)s must be a whole number from %(low)s to %(high)s.")
             % {"label": label, "low": low, "high": high}}
        )  # fmt: skip
    return value


def _note_text(note: object) -> str:
    if not isinstance(note, str):
        raise ValidationError({"note": _("Write the note as text.")})
    if len(note.strip()) > NOTE_MAX:
        raise ValidationError({"note": _("Keep the note to %(n)s characters.") % {"n": NOTE_MAX}})
    return note.strip()


def log_mood(
    actor, course: Course, *, mood: object, contacts: object, note: object = "", retry: bool = True
) -> MoodEntry:
    """Record today's mood and contacts, or change today's entry; earlier days are kept."""
    if not policy.may_answer_for_self(actor, course):
        raise PermissionDenied(_("Only the client can keep their own daily log."))
    if course.status != Course.Status.ACTIVE:
        raise ValidationError(_("Your course has ended, so the daily log is closed."))
    problems = Problems()
    with problems.check():
        mood = _whole_number(mood, "mood", 0, MOOD_MAX, _("Mood"))
    with problems.check():
        contacts = _whole_number(contacts, "contacts", 0, CONTACTS_MAX, _("Contacts"))
    with problems.check():
        note = _note_text(note)
    problems.raise_any()
    today = timezone.localdate()
    try:
        with transaction.atomic():
            entry = MoodEntry.objects.select_for_update().filter(course=course, date=today).first()
            entry = entry or MoodEntry(course=course, date=today)
            entry.mood, entry.contacts, entry.note = mood, contacts, note
            entry.full_clean(exclude=["course"])
            entry.save()
    except IntegrityError:  # saved a moment ago from another tab: change that one instead
        if not retry:
            raise
        return log_mood(actor, course, mood=mood, contacts=contacts, note=note, retry=False)
    return entry


def recent_mood(course: Course, days: int = 28) -> list[MoodEntry]:
    """Return the course's log entries of the last `days` days, oldest first."""
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    return list(course.mood_entries.filter(date__gte=since).order_by("date"))
