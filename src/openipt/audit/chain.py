"""Link pending reads into the keyed chain, sign its head, and start a key's segment.

The chainer trusts the head only when its signature verifies: otherwise someone rewrote the
trail outside OpenIPT, and signing on top of it would launder the change, so it stops
(the reads stay pending, nothing is lost) until `openipt audit verify` has been read.
When the signing key is not the head's, the chainer first appends a key event signed by
the new key: the chain records each rotation, and events signed by an older key cannot
follow it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from openipt.audit import keys
from openipt.audit.keys import AuditKey
from openipt.audit.models import AccessEvent, ChainHead, PendingAccess

CHAIN_BATCH = 1000


class ChainError(Exception):
    """The chain head does not verify, so the chain will not be extended."""


def head_problem(head: ChainHead, keyring: dict[str, AuditKey]) -> str | None:
    """Return why the head's signature does not hold, or None when it does.

    A new head (no event, never signed) has nothing to protect yet and passes.
    """
    if head.last_seq == 0 and not head.mac:
        return None
    key = keyring.get(head.key_id)
    if key is None:
        return (
            f"The chain head is signed with audit key {head.key_id or '(none)'}, which is not "
            f"configured ({keys.source()}): put it back after the current key."
        )
    if not key.signed(head.signed_text(), head.mac):
        return (
            "The chain head's signature does not match: the newest events, or the end of "
            "the legacy prefix, were changed outside OpenIPT."
        )
    return None


def _locked_head() -> ChainHead:
    # get_or_create: two chainers may find no head at once (after a flush); one creates it.
    head, created = ChainHead.objects.select_for_update().get_or_create(pk=1)
    if created and AccessEvent.objects.exists():
        raise ChainError("The chain head is missing although events exist.")
    problem = head_problem(head, keys.keyring())
    if problem:
        raise ChainError(f"{problem} Run `openipt audit verify`; reads stay pending.")
    return head


def _key_event(seq: int, prev_hash: str, old_id: str, key: AuditKey) -> AccessEvent:
    """Return the event that records where the new key starts signing."""
    event = AccessEvent(
        seq=seq,
        prev_hash=prev_hash,
        key_id=key.id,
        at=timezone.now(),
        actor_username="openipt",
        role="system",
        action=AccessEvent.Action.KEY,
        object_type="audit_key",
        object_ids={"from_key": old_id, "to_key": key.id},
    )
    event.hash = event.compute_hash(key)
    return event


def _append(head: ChainHead, rows: list[PendingAccess]) -> dict[int, AccessEvent]:
    """Append the rows after the head (a key event first if the key changed); sign the head."""
    key = keys.current()
    seq, prev_hash = head.last_seq, head.last_hash
    new: list[AccessEvent] = []
    if head.key_id and head.key_id != key.id:
        seq += 1
        new.append(_key_event(seq, prev_hash, head.key_id, key))
        prev_hash = new[-1].hash
    linked: dict[int, AccessEvent] = {}
    for row in rows:
        seq += 1
        event = AccessEvent(seq=seq, prev_hash=prev_hash, key_id=key.id, **row.content())
        event.hash = prev_hash = event.compute_hash(key)
        linked[row.pk] = event
    if not new and not linked:
        return linked
    AccessEvent.objects.bulk_create([*new, *linked.values()])
    PendingAccess.objects.filter(pk__in=list(linked)).delete()
    head.last_seq, head.last_hash, head.key_id = seq, prev_hash, key.id
    head.mac = key.sign(head.signed_text())
    ChainHead.objects.filter(pk=head.pk).update(
        last_seq=seq, last_hash=prev_hash, key_id=key.id, mac=head.mac
    )
    return linked


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
        with transaction.atomic():
            head = _locked_head()
            batch = _append(head, list(PendingAccess.objects.order_by("pk")[:CHAIN_BATCH]))
        if not batch:
            break
        linked.update(batch)
    return linked


def start_segment() -> AccessEvent | None:
    """Record at once that the current key signs from here on (after a rotation); return
    the key event, or None when the head is signed by the current key already."""
    with transaction.atomic():
        head = _locked_head()
        # A new chain (no key yet) starts with the current key at its first event.
        if head.key_id in ("", keys.current().id):
            return None
        _append(head, [])
        return AccessEvent.objects.get(seq=head.last_seq)
