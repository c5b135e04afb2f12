"""Append to the read audit, link it into its keyed chain, verify the chain, and export it.

`record_access` is the one way in: the middleware calls it for pages and the API, and
the CLI and export code call it for reads that do not go through a page. A read is stored
at once as a pending row; `chain_pending` links pending rows into the chain in batches
(after a response, at most every OPENIPT_AUDIT_CHAIN_SECONDS per process, and before any
read of the trail), so a page view never waits for the chain head.
"""

from __future__ import annotations

import getpass
import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openipt.audit.chain import chain_pending
from openipt.audit.models import AccessEvent, PendingAccess

# Verifying lives in its own module; the rest of the project calls it from here.
from openipt.audit.verify import verify_chain as verify_chain

logger = logging.getLogger(__name__)

MAX_PATH = 500


def normalise_ids(ids: Mapping[str, Any] | None) -> dict[str, int | str]:
    """Return object ids as numbers where they are numbers, so searches match them."""
    clean: dict[str, int | str] = {}
    for key, value in (ids or {}).items():
        text = str(value)
        clean[str(key)[:64]] = int(text) if text.isdigit() and len(text) < 19 else text[:200]
    return clean


def _number(value: int | str | None) -> int | None:
    return value if isinstance(value, int) else None


def record_access(
    actor: Any,
    action: str,
    object_type: str,
    ids: Mapping[str, Any] | None = None,
    *,
    path: str = "",
    method: str = "",
    status: int | None = None,
    request_id: str | None = None,
    actor_label: str = "",
    chain: bool = True,
) -> AccessEvent | PendingAccess:
    """Record one read of health data; return its chained event, or with `chain=False`
    the pending row that `chain_pending` links later (the request path's way).

    `actor` is the signed-in user, or None for the command line (then `actor_label`, by
    default "cli:<operating-system user>", names who ran it). A client's own username is
    not kept, so the trail stays pseudonymous once their record is erased.
    """
    if action not in AccessEvent.Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    clean = normalise_ids(ids)
    role = getattr(actor, "role", "") if actor is not None else "cli"
    if actor is None:
        username = actor_label or f"cli:{_os_user()}"
    else:
        username = "" if role == "client" else actor.get_username()
    pending = PendingAccess(
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_username=username[:150],
        role=role or "",
        action=action,
        object_type=object_type[:64],
        object_ids=clean,
        client_id=_number(clean.get("client_id")),
        course_id=_number(clean.get("course_id")),
        path=path[:MAX_PATH],
        method=method[:8],
        status=status,
        request_id=(request_id or "")[:64],
    )
    if not chain:
        pending.save(force_insert=True)
        return pending
    # Stored and linked in one transaction: no other chainer can see the row before this
    # one links it, so it is among the events this call links.
    with transaction.atomic():
        pending.save(force_insert=True)
        return chain_pending()[pending.pk]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# A new process links its first batch one interval after it starts.
_last_chained = time.monotonic()


def chain_if_due(**_signal: Any) -> None:
    """Chain pending reads when this process has not done so for a while (a receiver of
    `request_finished`, so it runs after the response was sent). A failure leaves the
    rows pending for the next chainer; the reads are already stored."""
    global _last_chained
    now = time.monotonic()
    if now - _last_chained < settings.OPENIPT_AUDIT_CHAIN_SECONDS:
        return
    _last_chained = now
    try:
        chain_pending()
    except Exception:  # the response is gone; the next chainer retries
        logger.exception("Could not link pending reads into the audit chain")


CSV_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "role",
    "action",
    "object_type",
    "object_ids",
    "client_id",
    "course_id",
    "path",
    "method",
    "status",
    "request_id",
    "hash",
    "key_id",
)


def csv_rows(events: Any) -> Iterator[list[str]]:
    """Yield the header and one row per event, for the CSV export (page and CLI)."""
    yield list(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        row = []
        for column in CSV_COLUMNS:
            value = getattr(event, column)
            if column == "at":
                value = value.isoformat()
            elif column == "object_ids":
                value = ";".join(f"{k}={v}" for k, v in sorted(value.items()))
            row.append(_csv_safe("" if value is None else str(value)))
        yield row


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas (CSV injection): a leading = + - @ becomes text."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\0"):
        return "'" + text
    return text
