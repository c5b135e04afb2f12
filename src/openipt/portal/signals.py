"""Keep the client's task list in step with the work agreed in each session."""

from __future__ import annotations

from typing import Any

from openipt.courses.models import Session
from openipt.portal import tasks


def session_saved(sender: type, instance: Session, raw: bool = False, **kwargs: Any) -> None:
    """Sync the session's tasks whenever the course engine saves it (idempotent)."""
    if raw:
        return
    tasks.sync_session_tasks(instance)
