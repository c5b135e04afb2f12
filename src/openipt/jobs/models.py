"""The job queue's own tables (the database queue) and the record of what the jobs did."""

from __future__ import annotations

from django.db import models


class QueuedTask(models.Model):
    """A task waiting for a worker, when the queue lives in the database (no Redis)."""

    queue = models.CharField(max_length=64)
    data = models.BinaryField()
    priority = models.FloatField(default=0)

    class Meta:
        indexes = [
            # dequeue: the highest priority, then the oldest, of one queue.
            models.Index(fields=["queue", "-priority", "id"], name="jobs_queued_next_idx"),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} on {self.queue}"


class ScheduledTask(models.Model):
    """A task to run at a time (a retry after back-off, a delayed job)."""

    queue = models.CharField(max_length=64)
    data = models.BinaryField()
    run_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["queue", "run_at"], name="jobs_scheduled_due_idx")]

    def __str__(self) -> str:
        return f"task {self.pk} on {self.queue} at {self.run_at}"


class QueueData(models.Model):
    """The queue's key-value store: task locks, revocations and results."""

    queue = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    value = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["queue", "key"], name="jobs_queuedata_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} on {self.queue}"


class JobRun(models.Model):
    """One run of a scheduled job (purge, backup, summaries...): when, and how it ended."""

    name = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True, help_text="Empty while the run is going on.")
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # The admin page and `openipt check`: the latest run of each job.
            models.Index(fields=["name", "-started_at"], name="jobs_run_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.started_at:%Y-%m-%d %H:%M}"


class FailedJob(models.Model):
    """A task that failed after its last retry: kept until an admin has looked at it."""

    task = models.CharField(max_length=100)
    task_id = models.CharField(max_length=64)
    arguments = models.CharField(max_length=500, blank=True)
    error = models.TextField()
    failed_at = models.DateTimeField()
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-failed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} failed at {self.failed_at:%Y-%m-%d %H:%M}"
