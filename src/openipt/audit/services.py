"""Append to the read audit, verify its hash chain, and search it.

`record_access` is the one way in: the middleware calls it for pages and the API, and
the CLI and export code call it for reads that do not go through a page.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from openipt.audit.models import GENESIS_HASH, AccessEvent, ChainHead

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
) -> AccessEvent:
    """Append one read of health data to the chained audit trail and return it.

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
    event = AccessEvent(
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
    return _append(event)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _append(event: AccessEvent) -> AccessEvent:
    """Link the event to the newest one while holding the chain head, then store it.

    The head row is locked (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
    transaction already holds the write lock), so two workers appending at once queue
    instead of both linking to the same predecessor and forking the chain.
    """
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.at = timezone.now()
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        ChainHead.objects.filter(pk=head.pk).update(last_seq=event.seq, last_hash=event.hash)
    return event


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
