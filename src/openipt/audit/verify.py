"""Verify the read audit: name every deleted, edited, re-chained or unsigned event.

Each event must follow the one before it (its number and its link), carry the signature of
a configured audit key over its content (the legacy prefix: its plain SHA-256), and keep
the key of the events before it unless a key event records the change. The signed head
must name the newest event. Runs of consecutive bad signatures are reported once: one bad
event was edited, a run of them was re-chained (recomputed without the audit key).
"""

from __future__ import annotations

import contextlib
import hmac
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection

from openipt.audit import append_only, keys
from openipt.audit.chain import ChainError, chain_pending, head_problem
from openipt.audit.keys import AuditKey
from openipt.audit.models import GENESIS_HASH, AccessEvent, ChainHead


@dataclass
class Problem:
    """A place where the chain is broken, named by the event's id and sequence number.

    kind: deleted, reordered, unlinked, edited, rechained, unsigned, unknown-key,
    key-change, head or guard (a missing trigger).
    """

    kind: str
    event_id: int | None
    seq: int | None
    message: str


@dataclass
class Verification:
    checked: int = 0
    legacy: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    key_ids: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain data, for `openipt audit verify --json`."""
        return {"ok": self.ok, **asdict(self)}


@dataclass
class _Run:
    """Consecutive events whose signatures fail the same way."""

    kind: str
    first: AccessEvent
    last: AccessEvent

    def problem(self, legacy_seq: int) -> Problem:
        one = self.first.seq == self.last.seq
        where = (
            f"Event id {self.first.pk} (#{self.first.seq})"
            if one
            else f"Events #{self.first.seq} to #{self.last.seq} "
            f"(ids {self.first.pk} to {self.last.pk})"
        )
        verb = "is" if one else "are"
        if self.kind == "mismatch" and one:
            text = f"{where} was edited after it was written: its signature does not match."
        elif self.kind == "mismatch":
            text = (
                f"{where} do not match their signatures: they were edited or re-chained "
                "without the audit key."
            )
        elif self.kind == "unsigned":
            text = (
                f"{where} {verb} not signed although the chain is keyed from #{legacy_seq + 1}: "
                "written or re-chained outside OpenIPT."
            )
        else:
            text = (
                f"{where} {verb} signed with audit key {self.first.key_id!r}, which is not "
                f"configured ({keys.source()}): put the key back after the current one, or "
                "the events were re-chained with another key."
            )
        kind = {"mismatch": "edited" if one else "rechained"}.get(self.kind, self.kind)
        return Problem(kind, self.first.pk, self.first.seq, text)


class _Walk:
    """Walk the events in order, keeping what the next one must agree with."""

    def __init__(self, keyring: dict[str, AuditKey], legacy_seq: int) -> None:
        self.keyring = keyring
        self.legacy_seq = legacy_seq
        self.result = Verification()
        self.expected_seq = 1
        self.prev_hash = GENESIS_HASH
        self.segment_key = ""
        self.run: _Run | None = None

    def step(self, event: AccessEvent) -> None:
        self.result.checked += 1
        if event.seq != self.expected_seq:
            self.result.problems.append(_gap(event, self.expected_seq))
        elif event.prev_hash != self.prev_hash:
            self.result.problems.append(
                Problem(
                    "unlinked",
                    event.pk,
                    event.seq,
                    f"Event id {event.pk} (#{event.seq}) does not follow the event before it: "
                    "that event was edited, or an event was deleted or inserted.",
                )
            )
        self._flag(event, self._signature_fault(event))
        self.expected_seq, self.prev_hash = event.seq + 1, event.hash

    def finish(self) -> Verification:
        self._flag(None, None)
        # A run is reported when it ends, after problems of later events: put them in order.
        self.result.problems.sort(key=lambda problem: problem.seq or 0)
        return self.result

    def _signature_fault(self, event: AccessEvent) -> str | None:
        """Return how the event's signature fails (a run's kind), or None when it holds."""
        if event.seq <= self.legacy_seq:
            self.result.legacy += 1
            legacy = not event.key_id and _same(event.compute_hash(None), event.hash)
            return None if legacy else "mismatch"
        if not event.key_id:
            return "unsigned"
        key = self.keyring.get(event.key_id)
        if key is None:
            return "unknown-key"
        if not _same(event.compute_hash(key), event.hash):
            return "mismatch"
        self._follow_key(event)
        return None

    def _follow_key(self, event: AccessEvent) -> None:
        """Accept a change of key only where a key event records it."""
        previous, self.segment_key = self.segment_key, event.key_id
        if previous == event.key_id:
            return
        self.result.key_ids.append(event.key_id)
        ids = event.object_ids if isinstance(event.object_ids, dict) else {}
        recorded = event.action == AccessEvent.Action.KEY and ids == {
            "from_key": previous,
            "to_key": event.key_id,
        }
        if previous and not recorded:
            self.result.problems.append(
                Problem(
                    "key-change",
                    event.pk,
                    event.seq,
                    f"Event id {event.pk} (#{event.seq}) is signed with key {event.key_id}, the "
                    f"events before it with key {previous}, and no key change was recorded "
                    "between them.",
                )
            )

    def _flag(self, event: AccessEvent | None, kind: str | None) -> None:
        run = self.run
        if run and (event is None or kind != run.kind or event.seq != run.last.seq + 1):
            self.result.problems.append(run.problem(self.legacy_seq))
            self.run = run = None
        if event is None or kind is None:
            return
        if run:
            run.last = event
        else:
            self.run = _Run(kind, event, event)


def _same(computed: str, stored: str) -> bool:
    return hmac.compare_digest(computed.encode(), stored.encode())


def verify_chain(chunk_size: int = 2000) -> Verification:
    """Check every event in order and the head; report each deleted, edited, re-chained or
    unsigned event, and any missing append-only trigger."""
    with contextlib.suppress(ChainError):  # a head that does not verify is reported below
        chain_pending()
    keyring = keys.keyring()
    head = ChainHead.objects.filter(pk=1).first()
    walk = _Walk(keyring, head.legacy_seq if head else 0)
    for event in AccessEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        walk.step(event)
    result = walk.finish()
    result.head_seq, result.head_hash = walk.expected_seq - 1, walk.prev_hash
    result.problems.extend(_check_head(head, result.head_seq, result.head_hash, keyring))
    missing = append_only.missing_triggers(connection)
    if missing:
        result.problems.append(
            Problem(
                "guard",
                None,
                None,
                f"The append-only triggers {', '.join(missing)} are missing: someone dropped "
                "them, or a migration rebuilt an audit table without putting them back "
                "(openipt.audit.append_only.install).",
            )
        )
    return result


def _gap(event: AccessEvent, expected_seq: int) -> Problem:
    if event.seq > expected_seq:
        missing = (
            f"#{expected_seq}"
            if event.seq == expected_seq + 1
            else f"#{expected_seq} to #{event.seq - 1}"
        )
        text = f"Events {missing} are missing (deleted) before event id {event.pk}."
        return Problem("deleted", event.pk, event.seq, text)
    text = f"Event id {event.pk} repeats or reorders sequence number #{event.seq}."
    return Problem("reordered", event.pk, event.seq, text)


def _check_head(
    head: ChainHead | None, last_seq: int, last_hash: str, keyring: dict[str, AuditKey]
) -> list[Problem]:
    if head is None:
        if last_seq == 0:
            return []
        return [Problem("head", None, None, "The chain head is missing: it was deleted.")]
    problems = []
    if head.last_seq > last_seq:
        text = f"The newest events #{last_seq + 1} to #{head.last_seq} are missing (deleted)."
        problems.append(Problem("deleted", None, head.last_seq, text))
    elif head.last_seq != last_seq or head.last_hash != last_hash:
        text = (
            "The chain head does not match the newest event: the newest event was edited, "
            "or events were added outside OpenIPT."
        )
        problems.append(Problem("head", None, last_seq, text))
    signature = head_problem(head, keyring)
    if signature:
        problems.append(Problem("head", None, head.last_seq, signature))
    return problems
