"""The read audit: an append-only, keyed hash chain of every look at health data.

Each event stores the HMAC-SHA256, under an audit key kept outside the database
(openipt.audit.keys), of the previous event's hash joined to its own canonical content; the
chain head is signed too. An edited, deleted or inserted row breaks the chain where it
happened, and without the key nobody can re-sign the chain after it (`openipt audit
verify`). Events chained before the chain was keyed keep their plain SHA-256 (a legacy
prefix, pinned by the signed head). Rows are never updated or deleted through the ORM, and
database triggers refuse it too (migration 0004).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from openipt.audit.keys import AuditKey

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Access events are append-only: they cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Access events are append-only: they cannot be deleted.")

    def about_client(self, client_id: int, course_ids: list[int]) -> AccessEventQuerySet:
        """Return the events about a client, directly or through one of their courses."""
        return self.filter(models.Q(client_id=client_id) | models.Q(course_id__in=course_ids))


class AccessRecord(models.Model):
    """What a read of health data says: who, in which role, did what to which record, when."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed a record")
        LIST = "list", _("Listed records")
        EXPORT = "export", _("Exported")
        PDF = "pdf", _("Made a PDF")
        API = "api", _("Read through the API")
        CLI = "cli", _("Read on the command line")
        # Not a read: the chain records where a new audit key starts signing.
        KEY = "key", _("Changed the audit key")

    at = models.DateTimeField()
    # Plain numbers and text rather than foreign keys: deleting a user or a client must
    # never rewrite (and so break) the trail; after erasure the ids are pseudonyms.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_ids = models.JSONField(default=dict, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True)
    course_id = models.BigIntegerField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=8, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    CONTENT_FIELDS = (
        "at", "actor_id", "actor_username", "role", "action", "object_type", "object_ids",
        "client_id", "course_id", "path", "method", "status", "request_id",
    )  # fmt: skip

    class Meta:
        abstract = True

    def content(self) -> dict[str, Any]:
        """Return the recorded fields, to copy a pending read into the chain."""
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}


class PendingAccess(AccessRecord):
    """A read recorded on the request path, waiting to be linked into the chain.

    Recording it is one INSERT that waits for no other reader (no chain head to lock, no
    hash to compute); `openipt.audit.services.chain_pending` links pending reads into the
    chain in batches, off the request path. See docs/security.md, "The read audit".
    """

    def __str__(self) -> str:
        return f"pending {self.actor_username or self.actor_id} {self.action} {self.object_type}"


class AccessEvent(AccessRecord):
    """One read of health data in the hash chain."""

    seq = models.PositiveBigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The id of the audit key that signed the event; empty in the legacy, unkeyed prefix.
    key_id = models.CharField(max_length=16, blank=True, default="")

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            # The audit page's searches: by person, by record, by day.
            models.Index(fields=["actor_id", "at"], name="access_actor_at_idx"),
            models.Index(fields=["client_id", "at"], name="access_client_at_idx"),
            models.Index(fields=["course_id", "at"], name="access_course_at_idx"),
            models.Index(fields=["at"], name="access_at_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.seq} {self.actor_username or self.actor_id} {self.action} {self.object_type}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Access events are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Access events are append-only: they cannot be deleted.")

    def canonical(self) -> str:
        """Return the event's content as the exact text its hash covers (the key id only
        for keyed events, so that legacy events keep the text they were hashed with)."""
        content: dict[str, Any] = {
            "seq": int(self.seq),
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "role": self.role,
            "action": self.action,
            "object_type": self.object_type,
            "object_ids": self.object_ids,
            "client_id": self.client_id,
            "course_id": self.course_id,
            "path": self.path,
            "method": self.method,
            "status": self.status,
            "request_id": self.request_id,
        }
        if self.key_id:
            content["key_id"] = self.key_id
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    def compute_hash(self, key: AuditKey | None) -> str:
        """Return the HMAC under the key over the previous hash and this event's content;
        with no key, the plain SHA-256 of the legacy prefix."""
        message = self.prev_hash + self.canonical()
        if key is None:
            return hashlib.sha256(message.encode()).hexdigest()
        return key.sign(message)


def head_text(last_seq: int, last_hash: str, legacy_seq: int, key_id: str) -> str:
    """Return the text the chain head's signature covers (also used by migration 0004)."""
    fields = {"last_seq": last_seq, "last_hash": last_hash, "legacy_seq": legacy_seq}
    return "openipt-audit-head:" + json.dumps({**fields, "key_id": key_id}, sort_keys=True)


class ChainHead(models.Model):
    """The single row that names the newest event; appenders lock it to take turns.

    Its signature covers the newest event and the end of the legacy prefix, so whoever cuts
    the newest events off, or re-chains the trail without the key, cannot make it agree.
    """

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # Events up to this number were chained before the chain was keyed (plain SHA-256).
    legacy_seq = models.PositiveBigIntegerField(default=0)
    key_id = models.CharField(max_length=16, blank=True, default="")
    mac = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_seq}"

    def signed_text(self) -> str:
        """Return the text that `mac` signs."""
        return head_text(self.last_seq, self.last_hash, self.legacy_seq, self.key_id)
