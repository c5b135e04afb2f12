"""Erase a client: hide the record now, purge it after the retention period.

Erasing is reversible until the purge, which deletes every row held about the client
(found by `records.client_holdings`) and leaves only the Erasure row with a pseudonym and
a pseudonymous audit trail: access events keep ids, never the client's name, and the write
log's entries about the purged rows are renamed to the pseudonym and emptied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from openipt import policy
from openipt.accounts.models import User
from openipt.assessments.models import Alert
from openipt.clients.models import Client
from openipt.privacy import audit
from openipt.privacy.models import Erasure
from openipt.privacy.records import client_holdings


def pseudonym_for(client_id: int) -> str:
    """Return a stable pseudonym: a keyed hash of the client's id, not reversible."""
    digest = salted_hmac("openipt.privacy.pseudonym", str(client_id), algorithm="sha256")
    return "client-" + digest.hexdigest()[:16]


def _check_actor(actor: Any, client: Client) -> None:
    if actor is not None and not policy.may_write_client(actor, client):
        raise PermissionDenied("Only the client's therapist can erase or restore this record.")


def check_no_open_alerts(client: Client) -> None:
    """Refuse to erase while a risk alert is open: an erasure hides the record, alerts
    included, so nobody would be left to act on it (docs/safety.md, "Erasure")."""
    count = Alert.objects.open().filter(course__client=client).count()
    if count:
        alerts = "a risk alert" if count == 1 else f"{count} risk alerts"
        raise ValidationError(
            f"This client has {alerts} still open. Record the action taken on each "
            "(Alerts page) before erasing the record: an erasure request does not end "
            "the duty to act on a risk answer."
        )


@transaction.atomic
def erase_client(actor: Any, client: Client, reason: str = "") -> Erasure:
    """Hide the client's record at once and close their portal account; purge comes later.

    `actor` is None when an operator erases from the command line.
    """
    _check_actor(actor, client)
    client = Client.objects.select_for_update(of=("self",)).select_related("user").get(pk=client.pk)
    if Erasure.objects.filter(client=client).exists():
        raise ValidationError("This client's record is already erased.")
    check_no_open_alerts(client)
    portal = client.user
    erasure = Erasure(
        client=client,
        pseudonym=pseudonym_for(client.pk),
        erased_at=timezone.now(),
        reason=reason.strip(),
        recorded_by=actor,
        portal_was_active=bool(portal and portal.is_active),
    )
    erasure.full_clean(exclude=["client", "recorded_by"])
    erasure.save()
    if portal is not None and portal.is_active:
        portal.is_active = False
        portal.save(update_fields=["is_active"])
    audit.record("erase", client.pk, actor=actor)
    return erasure


@transaction.atomic
def cancel_erasure(actor: Any, client: Client) -> None:
    """Undo an erasure that has not been purged: show the record and reopen the portal."""
    _check_actor(actor, client)
    erasure = Erasure.objects.select_for_update().filter(client=client).first()
    if erasure is None:
        raise ValidationError("This client's record is not erased.")
    if erasure.portal_was_active and client.user_id:
        User.objects.filter(pk=client.user_id).update(is_active=True)
    erasure.delete()
    audit.record("erase_cancelled", client.pk, actor=actor)


def due_for_purge(now: datetime | None = None) -> models.QuerySet[Erasure]:
    """Return the erasures older than the retention period and not yet purged."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OPENIPT_RETENTION_DAYS)
    return Erasure.objects.pending().filter(erased_at__lte=cutoff).order_by("erased_at", "pk")


@dataclass
class PurgeResult:
    pseudonym: str
    deleted: dict[str, int] = field(default_factory=dict)
    audit_rows: int = 0


def _anonymise_portal_user(client: Client, pseudonym: str) -> None:
    user = client.user
    if user is None:
        return
    user.username = pseudonym
    user.first_name = user.last_name = user.email = user.display_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


@transaction.atomic
def purge_one(erasure: Erasure) -> PurgeResult:
    """Delete everything held about one erased client, deepest rows first."""
    erasure = (
        Erasure.objects.select_for_update(of=("self",))
        .select_related("client__user")
        .get(pk=erasure.pk)
    )
    client = erasure.client
    if client is None:
        raise ValidationError("This erasure was purged already.")
    result = PurgeResult(erasure.pseudonym)
    purged: dict[Any, list[Any]] = {}
    for holding in sorted(client_holdings(), key=lambda h: -h.depth):
        if holding.model is Erasure:
            continue
        rows = holding.rows(client.pk)
        purged[holding.model] = list(rows.values_list("pk", flat=True))
        if holding.depth == 0:
            _anonymise_portal_user(client, erasure.pseudonym)
        count, _ = rows.delete()
        result.deleted[holding.label] = count
    portal_id = client.user_id
    if portal_id is not None:
        purged[User] = [portal_id]
    erasure.purged_at = timezone.now()
    erasure.save(update_fields=["purged_at"])
    result.audit_rows = audit.mask_write_log(erasure.pseudonym, purged, portal_id)
    audit.record("purge", client.pk, pseudonym=erasure.pseudonym)
    return result


def purge_due(now: datetime | None = None) -> list[PurgeResult]:
    """Purge every erasure past the retention period, one transaction per client."""
    return [purge_one(erasure) for erasure in due_for_purge(now)]
