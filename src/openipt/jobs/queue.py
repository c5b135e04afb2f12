"""The job queue: one Huey instance, its storage chosen from the settings when first used.

OPENIPT_REDIS_URL set: Huey's Redis storage, so that workers on any number of hosts share
one queue. Unset: the queue lives in the application's database (openipt.jobs.storage).
Jobs are small functions that take ids, never clinical values, and are safe to run twice.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from huey import Huey, signals
from huey.consumer import Consumer, Scheduler
from huey.storage import BaseStorage, RedisStorage

from openipt.jobs.storage import DatabaseStorage

logger = logging.getLogger(__name__)

# A job that raises is tried again this many times, waiting RETRY_DELAY seconds, doubled
# each time by the jobs that pass `backoff` (openipt.jobs.queue.backoff_delay).
RETRIES = 3
RETRY_DELAY = 30


def queue_name() -> str:
    """Return the queue's name: its Redis key prefix, or its rows' tag in the database."""
    return str(getattr(settings, "OPENIPT_QUEUE_NAME", "") or "openipt")


def build_storage(name: str) -> BaseStorage:
    """Return the storage the settings ask for."""
    url = settings.OPENIPT_REDIS_URL
    if url:
        return RedisStorage(name, url=url, read_timeout=1)
    return DatabaseStorage(name)


class OpenIPTHuey(Huey):
    """Huey whose storage is made on first use, from the settings in force then.

    Settings are not read at import time (tests and `openipt check` change them), and a
    Redis connection is not opened by a process that never uses the queue.
    """

    _storage: BaseStorage | None = None

    def create_storage(self) -> None:  # type: ignore[override]
        return None

    @property  # type: ignore[override]
    def storage(self) -> BaseStorage:
        if self._storage is None:
            self.name = queue_name()
            self._storage = build_storage(self.name)
        return self._storage

    @storage.setter
    def storage(self, value: BaseStorage | None) -> None:
        self._storage = value

    def reset_storage(self) -> None:
        """Forget the storage, so that the next use follows changed settings."""
        if self._storage is not None:
            self._storage.close()
        self._storage = None


huey = OpenIPTHuey("openipt", results=False, utc=True)


def _tidy_connections() -> None:
    """Drop connections past their age: a worker lives for days. Not inside a transaction
    (a test's, or `run_cycle` called by a caller holding one)."""
    if not connection.in_atomic_block:
        close_old_connections()


@huey.pre_execute()
def _fresh_connection(task: Any) -> None:
    _tidy_connections()


@huey.post_execute()
def _release_connection(task: Any, task_value: Any, exc: Exception | None) -> None:
    _tidy_connections()


@huey.signal(signals.SIGNAL_ERROR)
def _record_failure(signal: str, task: Any, exc: Exception | None = None) -> None:
    """Keep a task that failed its last try, for the admin page and `openipt check`."""
    if task.retries:
        logger.warning("Job %s failed; %s tries left.", task.name, task.retries)
        return
    from openipt.jobs.models import FailedJob

    FailedJob.objects.create(
        task=task.name[:100],
        task_id=str(task.id)[:64],
        arguments=repr(task.args)[:500],  # ids only: jobs take no clinical values
        error=f"{type(exc).__name__}: {exc}"[:4000],
        failed_at=timezone.now(),
    )


def backoff_delay(attempt: int, base: int = RETRY_DELAY, cap: int = 3600) -> int:
    """Return the seconds to wait before try `attempt` (1, 2, ...): base, 2 base, 4 base..."""
    return int(min(cap, base * 2 ** max(0, attempt - 1)))


_cycle_time: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "cycle_time", default=None
)


def cycle_time() -> datetime.datetime:
    """Return the time the jobs of this pass act at: now, or the time `run_cycle` was given
    (so that a test can run the minute sweeps as at a later hour)."""
    return _cycle_time.get() or timezone.now()


def _utc_naive(now: datetime.datetime | None) -> datetime.datetime:
    if now is None:
        return huey._get_timestamp()
    return now.astimezone(datetime.UTC).replace(tzinfo=None) if timezone.is_aware(now) else now


def run_cycle(
    now: datetime.datetime | None = None, *, periodic: bool | Collection[str] = True
) -> int:
    """Do in this process what a worker does in one pass: move due scheduled tasks to the
    queue, add this minute's periodic tasks (or only those named), then run every queued
    task. Return how many tasks ran. Tests and `openipt worker --once` use it."""
    ts = _utc_naive(now)
    token = _cycle_time.set(ts.replace(tzinfo=datetime.UTC))
    try:
        return _run_pass(ts, periodic)
    finally:
        _cycle_time.reset(token)


def _run_pass(ts: datetime.datetime, periodic: bool | Collection[str]) -> int:
    for task in huey.read_schedule(ts):
        huey.enqueue(task)
    if periodic:
        for task in huey.read_periodic(ts):
            if periodic is True or task.name in periodic:
                huey.enqueue(task)
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task, ts)
        ran += 1
    return ran


def consumer(workers: int = 2) -> Consumer:
    """Return a Huey consumer: `workers` threads and the periodic scheduler, which queues
    the periodic tasks every OPENIPT_WORKER_TICK_SECONDS (a minute, unless shortened)."""
    tick = int(settings.OPENIPT_WORKER_TICK_SECONDS)
    scheduler = type("OpenIPTScheduler", (Scheduler,), {"periodic_task_seconds": tick})
    consumer_class = type("OpenIPTConsumer", (Consumer,), {"scheduler_class": scheduler})
    return consumer_class(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=True,
        initial_delay=0.1,
        backoff=1.5,
        max_delay=2.0,
        check_worker_health=True,
    )


def claim_slot(name: str, when: datetime.datetime, owner: str) -> bool:
    """Return True for the first task to run this job in this hour, and for its retries:
    every host's scheduler queues the periodic jobs, and a daily backup must run once."""
    key = f"slot:{name}:{when:%Y%m%d%H}"
    return bool(huey.put_if_empty(key, owner)) or huey.get(key, peek=True) == owner


HEARTBEAT_KEY = "worker:heartbeat"


def beat(now: datetime.datetime) -> None:
    """Record that a worker ran the minute sweeps now (read by `openipt check`)."""
    huey.put(HEARTBEAT_KEY, now.astimezone(datetime.UTC).isoformat())


def last_beat() -> datetime.datetime | None:
    """Return when a worker last ran the minute sweeps, or None if none ever did."""
    value = huey.get(HEARTBEAT_KEY, peek=True)
    return datetime.datetime.fromisoformat(value) if value else None


def queue_state() -> dict[str, Any]:
    """Return where the queue lives and how many tasks wait, for `openipt check` and admins."""
    where = "Redis" if settings.OPENIPT_REDIS_URL else "the database"
    return {
        "where": where,
        "name": huey.storage.name,
        "queued": huey.pending_count(),
        "scheduled": huey.scheduled_count(),
    }
