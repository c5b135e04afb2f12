"""The notification jobs on the queue: deliver a message now, and the minute sweeps."""

from __future__ import annotations

from huey import crontab

from openipt.jobs.queue import RETRIES, RETRY_DELAY, beat, cycle_time, huey
from openipt.notify import digest, escalation, outbox, reminders


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY)
def deliver_task(pk: int) -> bool:
    """Send one message as soon as its cause commits (the sweep catches any missed)."""
    return outbox.deliver(pk, cycle_time())


# Periodic tasks are queued in the order they are defined: escalate first, so that the
# messages an escalation writes are sent in the same minute.
@huey.periodic_task(crontab(), retries=0)
def escalate_job() -> int:
    """Every minute: pass unacknowledged alerts to the next person when their time is up."""
    moved = escalation.escalate_due(cycle_time())
    beat(cycle_time())  # after the sweep: a beat says escalation is actually running
    return moved


@huey.periodic_task(crontab(), retries=0)
def deliver_due_job() -> int:
    """Every minute: send what is due, retry what failed, take over abandoned sends."""
    return outbox.deliver_due(cycle_time())


@huey.periodic_task(crontab(minute="*/15"), retries=0)
def remind_clients_job() -> int:
    """Every quarter hour: write the reminders clients are owed (sent outside quiet hours)."""
    return reminders.remind_clients(cycle_time())


@huey.periodic_task(crontab(day_of_week="1", hour="7", minute="0"), retries=0)
def weekly_digest_job() -> int:
    """Mondays at 07:00 UTC: the supervisors' weekly digest (one per supervisor per week)."""
    return digest.send_digests(cycle_time())
