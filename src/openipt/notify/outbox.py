"""The outbox: messages are rows written with the change that causes them, then delivered.

A message is written in the same transaction as its cause (an alert, an escalation), so it
exists exactly when the cause does. Delivery claims a row with one conditional UPDATE (only
one worker wins it), sends, and marks it sent; a failed send waits longer each time and is
marked failed after OPENIPT_MESSAGE_ATTEMPTS. A worker that dies while sending leaves the
row claimed; another takes it over when the claim's lease has run out. The queue only makes
delivery prompt: the sweep every minute delivers whatever is due, so a lost queue entry
delays a message by a minute and loses nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from openipt.jobs.queue import backoff_delay
from openipt.notify import badge
from openipt.notify.models import Notification
from openipt.notify.sms import send_sms

logger = logging.getLogger(__name__)

# The first retry of a message waits a minute, then 2, 4, 8... (capped at an hour).
RETRY_BASE_SECONDS = 60
SWEEP_BATCH = 200


def lease_seconds() -> int:
    """Return how long a claim holds before another worker may take the message over."""
    return int(getattr(settings, "OPENIPT_MESSAGE_LEASE_SECONDS", 300))


def queue_message(
    *,
    key: str,
    kind: str,
    channel: str,
    subject: str,
    body: str,
    user=None,
    address: str = "",
    alert=None,
    link: str = "",
    not_before: datetime.datetime | None = None,
) -> Notification | None:
    """Write a message unless one with this key exists; None when it did.

    Call it inside the transaction that makes its cause. In-app messages are delivered by
    being written; the others are handed to the queue once the transaction commits.
    """
    now = timezone.now()
    in_app = channel == Notification.Channel.IN_APP
    if Notification.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the caller's work intact
            message = Notification.objects.create(
                key=key,
                kind=kind,
                channel=channel,
                user=user,
                address=address,
                alert=alert,
                subject=subject,
                body=body,
                link=link,
                created_at=now,
                status=Notification.Status.SENT if in_app else Notification.Status.PENDING,
                sent_at=now if in_app else None,
                next_attempt_at=None if in_app else (not_before or now),
            )
    except IntegrityError:
        return None
    if in_app:
        badge.changed(message.user_id)
    if not in_app and (not_before is None or not_before <= now):
        transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    return message


def _enqueue(pk: int) -> None:
    from openipt.notify.tasks import deliver_task

    deliver_task(pk)


def _due(now: datetime.datetime) -> Q:
    stale = now - datetime.timedelta(seconds=lease_seconds())
    waiting = Q(status=Notification.Status.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=Notification.Status.SENDING, claimed_at__lt=stale)
    return waiting | abandoned


def claim(pk: int, now: datetime.datetime) -> Notification | None:
    """Take the message for sending, or None when it is not due or another worker has it."""
    won = (
        Notification.objects.filter(_due(now), pk=pk)
        .exclude(channel=Notification.Channel.IN_APP)
        .update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return Notification.objects.get(pk=pk) if won else None


def deliver(pk: int, now: datetime.datetime | None = None) -> bool:
    """Send one message if it is due; return True when this call sent it."""
    now = now or timezone.now()
    message = claim(pk, now)
    if message is None:
        return False
    try:
        _send(message)
    except Exception as exc:  # noqa: BLE001 - any back-end failure is retried the same way
        _failed(message, exc, now)
        return False
    Notification.objects.filter(pk=pk, claimed_at=message.claimed_at).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _send(message: Notification) -> None:
    if message.channel == Notification.Channel.EMAIL:
        connection = get_connection()
        # The key names the message, not its content: a receiving system (and the tests)
        # can see that a message came twice.
        headers = {"X-OpenIPT-Message": message.key}
        email = EmailMessage(
            message.subject, message.body, None, [message.address], headers=headers
        )
        email.connection = connection
        email.send()
    elif message.channel == Notification.Channel.SMS:
        send_sms(message.address, message.body)
    else:  # pragma: no cover - claim() never returns an in-app message
        raise ValueError(f"Cannot send on channel {message.channel}")


def _failed(message: Notification, exc: Exception, now: datetime.datetime) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    logger.warning("Message %s not sent (try %s): %s", message.pk, message.attempts, error)
    if message.attempts >= settings.OPENIPT_MESSAGE_ATTEMPTS:
        fields: dict[str, object] = {
            "status": Notification.Status.FAILED,
            "next_attempt_at": None,
        }
    else:
        wait = backoff_delay(message.attempts, base=RETRY_BASE_SECONDS)
        fields = {
            "status": Notification.Status.PENDING,
            "next_attempt_at": now + datetime.timedelta(seconds=wait),
        }
    Notification.objects.filter(pk=message.pk, claimed_at=message.claimed_at).update(
        last_error=error, **fields
    )


def deliver_due(now: datetime.datetime | None = None) -> int:
    """Send every message that is due (or was abandoned by a dead worker); return how many."""
    now = now or timezone.now()
    due = Notification.objects.filter(_due(now)).order_by("next_attempt_at", "id")
    ids = list(due.values_list("pk", flat=True)[:SWEEP_BATCH])
    return sum(deliver(pk, now) for pk in ids)


def failed_messages() -> int:
    """Return how many messages gave up, for the admin page and `openipt check`."""
    return Notification.objects.filter(status=Notification.Status.FAILED).count()
