"""A Huey storage in the application's own database (SQLite or PostgreSQL), through Django.

A laptop or a single host needs nothing beyond its database: the queue is three tables
(openipt.jobs.models) written through the same connection settings, migrations and test
databases as the rest of OpenIPT. A service with several hosts sets OPENIPT_REDIS_URL and
uses Huey's Redis storage instead (openipt.jobs.queue).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from huey.constants import EmptyData
from huey.storage import BaseStorage

from openipt.jobs.models import QueueData, QueuedTask, ScheduledTask


def _aware(ts: datetime.datetime) -> datetime.datetime:
    """Huey passes naive UTC times; the database stores aware ones."""
    return ts if timezone.is_aware(ts) else ts.replace(tzinfo=datetime.UTC)


class DatabaseStorage(BaseStorage):
    """Huey's storage interface over the Django ORM; `name` separates queues."""

    blocking = False  # the consumer polls, backing off while the queue is empty

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        QueuedTask.objects.create(queue=self.name, data=data, priority=priority or 0)

    def dequeue(self) -> bytes | None:
        waiting = QueuedTask.objects.filter(queue=self.name)
        if not waiting.exists():  # an idle poll takes no write lock (SQLite has one)
            return None
        with transaction.atomic():
            rows = waiting.order_by("-priority", "id")
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            row = rows.first()
            if row is None:
                return None
            # Two workers may read the same row where rows cannot be skipped: the one
            # whose delete removed it runs the task.
            deleted, _ = QueuedTask.objects.filter(pk=row.pk).delete()
            return bytes(row.data) if deleted else None

    def queue_size(self) -> int:
        return QueuedTask.objects.filter(queue=self.name).count()

    def enqueued_items(self, limit: int | None = None) -> list[bytes]:
        rows = QueuedTask.objects.filter(queue=self.name).order_by("-priority", "id")
        values = rows.values_list("data", flat=True)
        return [bytes(d) for d in (values[:limit] if limit else values)]

    def flush_queue(self) -> None:
        QueuedTask.objects.filter(queue=self.name).delete()

    def add_to_schedule(self, data: bytes, ts: datetime.datetime) -> None:
        ScheduledTask.objects.create(queue=self.name, data=data, run_at=_aware(ts))

    def read_schedule(self, ts: datetime.datetime) -> list[bytes]:
        with transaction.atomic():
            due = ScheduledTask.objects.filter(queue=self.name, run_at__lte=_aware(ts))
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            rows = list(due.order_by("run_at", "id").values_list("pk", "data"))
            ScheduledTask.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        return [bytes(data) for _, data in rows]

    def schedule_size(self) -> int:
        return ScheduledTask.objects.filter(queue=self.name).count()

    def scheduled_items(self, limit: int | None = None) -> list[bytes]:
        rows = ScheduledTask.objects.filter(queue=self.name).order_by("run_at", "id")
        values = rows.values_list("data", flat=True)
        return [bytes(d) for d in (values[:limit] if limit else values)]

    def flush_schedule(self) -> None:
        ScheduledTask.objects.filter(queue=self.name).delete()

    def put_data(self, key: str, value: bytes, is_result: bool = False) -> None:
        QueueData.objects.update_or_create(queue=self.name, key=str(key), defaults={"value": value})

    def peek_data(self, key: str) -> Any:
        row = QueueData.objects.filter(queue=self.name, key=str(key)).first()
        return EmptyData if row is None else bytes(row.value)

    def pop_data(self, key: str) -> Any:
        with transaction.atomic():
            row = QueueData.objects.select_for_update().filter(queue=self.name, key=str(key))
            found = row.first()
            if found is None:
                return EmptyData
            found.delete()
        return bytes(found.value)

    def has_data_for_key(self, key: str) -> bool:
        return QueueData.objects.filter(queue=self.name, key=str(key)).exists()

    def put_if_empty(self, key: str, value: bytes) -> bool:
        try:
            with transaction.atomic():
                QueueData.objects.create(queue=self.name, key=str(key), value=value)
        except IntegrityError:
            return False
        return True

    def result_store_size(self) -> int:
        return QueueData.objects.filter(queue=self.name).count()

    def result_items(self) -> dict[str, bytes]:
        rows = QueueData.objects.filter(queue=self.name).values_list("key", "value")
        return {key: bytes(value) for key, value in rows}

    def flush_results(self) -> None:
        QueueData.objects.filter(queue=self.name).delete()
