"""Append to the read audit, link it into its hash chain, verify the chain, and search it.

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
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openipt.audit.models import GENESIS_HASH, AccessEvent, ChainHead, PendingAccess

logger = logging.getLogger(__name__)

MAX_PATH = 500
CHAIN_BATCH = 1000


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


def chain_pending() -> dict[int, AccessEvent]:
    """Link every pending read into the chain, oldest first; return the new events by the
    id of the pending row they came from.

    The head row is locked (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
    transaction holds the write lock), so two chainers queue instead of both linking to the
    same predecessor and forking the chain. Each batch moves its rows in one transaction:
    a read is either pending or chained, never both and never neither.
    """
    linked: dict[int, AccessEvent] = {}
    while PendingAccess.objects.exists():
        batch = _chain_batch()
        if not batch:
            break
        linked.update(batch)
    return linked


def _chain_batch() -> dict[int, AccessEvent]:
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        rows = list(PendingAccess.objects.order_by("pk")[:CHAIN_BATCH])
        seq, prev_hash, linked = head.last_seq, head.last_hash, {}
        for row in rows:
            seq += 1
            event = AccessEvent(seq=seq, prev_hash=prev_hash, **row.content())
            event.hash = prev_hash = event.compute_hash()
            linked[row.pk] = event
        if rows:
            AccessEvent.objects.bulk_create(linked.values())
            PendingAccess.objects.filter(pk__in=list(linked)).delete()
            ChainHead.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=prev_hash)
    return linked


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


@dataclass
class Problem:
    """A place where the chain is broken, named by the event's id and sequence number."""

    event_id: int | None
    seq: int | None
    message: str


@dataclass
class Verification:
    checked: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(chunk_size: int = 2000) -> Verification:
    """Recompute every hash in order and report each edited, deleted or inserted event."""
    chain_pending()
    result = Verification()
    expected_seq, prev_hash = 1, GENESIS_HASH
    for event in AccessEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        result.checked += 1
        if event.seq != expected_seq:
            result.problems.append(_gap(event, expected_seq))
        elif event.prev_hash != prev_hash:
            result.problems.append(
                Problem(
                    event.pk,
                    event.seq,
                    f"Event id {event.pk} (#{event.seq}) does not follow the event before it: "
                    "that event was edited, or an event was deleted or inserted.",
                )
            )
        if event.compute_hash() != event.hash:
            result.problems.append(
                Problem(
                    event.pk,
                    event.seq,
                    f"Event id {event.pk} (#{event.seq}) was edited after it was written.",
                )
            )
        expected_seq, prev_hash = event.seq + 1, event.hash
    result.head_hash = prev_hash
    result.problems.extend(_check_head(expected_seq - 1, prev_hash))
    return result


def _gap(event: AccessEvent, expected_seq: int) -> Problem:
    if event.seq > expected_seq:
        missing = (
            f"#{expected_seq}"
            if event.seq == expected_seq + 1
            else f"#{expected_seq} to #{event.seq - 1}"
        )
        text = f"Events {missing} are missing (deleted) before event id {event.pk}."
    else:
        text = f"Event id {event.pk} repeats or reorders sequence number #{event.seq}."
    return Problem(event.pk, event.seq, text)


def _check_head(last_seq: int, last_hash: str) -> list[Problem]:
    head = ChainHead.objects.filter(pk=1).first()
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_seq > last_seq:
        return [
            Problem(
                None,
                head_seq,
                f"The newest events #{last_seq + 1} to #{head_seq} are missing (deleted).",
            )
        ]
    if head_seq != last_seq or head_hash != last_hash:
        return [
            Problem(
                None,
                last_seq,
                "The chain head does not match the newest event: the newest event was "
                "edited, or events were added outside OpenIPT.",
            )
        ]
    return []


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
