"""The work agreed between sessions, as a list the client can tick off.

The therapist writes the agreed work in the session record (`Session.between_sessions_work`);
each non-empty line becomes one task. Saving the session again keeps the tasks whose text is
unchanged (and whether they are done), adds new lines and drops lines that were removed.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt import policy
from openipt.courses.models import Session
from openipt.portal.models import ClientTask

MAX_TASKS_PER_SESSION = 20
BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")


def parse_work(text: str) -> list[str]:
    """Return the agreed work as one task per non-empty line, without list bullets."""
    lines = []
    for raw in (text or "").splitlines():
        line = BULLET.sub("", raw).strip()
        if line:
            lines.append(line)
    return lines[:MAX_TASKS_PER_SESSION]


def sync_session_tasks(session: Session) -> list[ClientTask]:
    """Make the session's tasks match its agreed work; safe to call any number of times."""
    wanted = parse_work(session.between_sessions_work)
    with transaction.atomic():
        existing = list(ClientTask.objects.select_for_update().filter(session=session))
        by_text: dict[str, list[ClientTask]] = {}
        for row in existing:
            by_text.setdefault(row.text, []).append(row)
        kept: list[ClientTask] = []
        for position, text in enumerate(wanted, start=1):
            matches = by_text.get(text)
            task: ClientTask | None = matches.pop(0) if matches else None
            if task is None:
                task = ClientTask(
                    course_id=session.course_id, session=session, text=text, position=position
                )
                task.save()
            elif task.position != position:
                task.position = position
                task.save(update_fields=["position"])
            kept.append(task)
        ClientTask.objects.filter(session=session).exclude(pk__in=[t.pk for t in kept]).delete()
    return kept


def set_task_done(actor, task: ClientTask, done: bool) -> ClientTask:
    """Mark the client's own task done or not done."""
    if not policy.may_answer_for_self(actor, task.course):
        raise PermissionDenied(_("Only the client can tick off their own tasks."))
    with transaction.atomic():
        locked = ClientTask.objects.select_for_update().get(pk=task.pk)
        if done and locked.done_at is None:
            locked.done_at = timezone.now()
        elif not done:
            locked.done_at = None
        locked.save(update_fields=["done_at"])
    return locked
