"""Tell the audit trail about exports and erasures made outside a web page.

Pages need nothing from here: the audit middleware records every response of the privacy
pages (a download as an export). The command line has no middleware, so its exports and
erasures are recorded here with openipt.audit's `record_access` (imported when called).
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps

logger = logging.getLogger("openipt.privacy")


def record(action: str, client_id: int, *, actor: Any = None, **ids: Any) -> bool:
    """Append an access event about a client's record; return whether the trail took it.

    The audit trail knows a fixed set of actions; one it does not know yet (such as
    "erase") is logged instead, and the write audit still records the change itself.
    """
    from openipt.audit.services import record_access

    try:
        record_access(actor, action, "client", {"client_id": client_id, **ids})
    except ValueError:
        logger.info("privacy %s of client %s by %s (%s)", action, client_id, actor or "cli", ids)
        return False
    return True


def events_about(client_id: int, course_ids: list[int]) -> list[dict[str, Any]]:
    """Return the audit trail's events about the client, for the client's own export."""
    if not apps.is_installed("openipt.audit"):
        return []
    from openipt.audit.chain import ChainError
    from openipt.audit.models import AccessEvent
    from openipt.audit.services import chain_pending

    try:
        chain_pending()  # the export shows every read, the latest ones included
    except ChainError:  # the trail was changed outside OpenIPT: export what is chained
        logger.exception("The read audit did not verify; the export leaves out pending reads")
    events = AccessEvent.objects.about_client(client_id, course_ids).order_by("seq")
    fields = ("seq", "at", "actor_username", "role", "action", "object_type", "object_ids", "path")
    return [dict(row) for row in events.values(*fields)]


def mask_write_log(pseudonym: str, purged: dict[Any, list[Any]], portal_user_id: Any) -> int:
    """Mask django-auditlog's entries about purged rows; return how many were masked.

    The write log already hides clinical values; this also drops the serialised copies and
    names every entry by the pseudonym, so nothing in it points back to the person.
    """
    if not apps.is_installed("auditlog"):
        return 0
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    changed = 0
    for model, keys in purged.items():
        if not keys:
            continue
        kind = ContentType.objects.get_for_model(model, for_concrete_model=False)
        entries = LogEntry.objects.filter(content_type=kind, object_pk__in=[str(k) for k in keys])
        changed += entries.update(
            object_repr=pseudonym,
            changes=None,
            changes_text="",
            serialized_data=None,
            additional_data=None,
        )
    if portal_user_id is not None:
        LogEntry.objects.filter(actor_id=portal_user_id).update(actor_email="")
    return changed
