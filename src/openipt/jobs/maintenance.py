"""Scheduled upkeep: purge after retention, summaries, expired links, backups.

Each job records its run (JobRun) so that the admin page and `openipt check` show when it
last ran and how it ended; a job that raises is retried and, after its last try, kept as a
FailedJob (openipt.jobs.queue).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey import crontab

from openipt.jobs.models import JobRun
from openipt.jobs.queue import RETRIES, RETRY_DELAY, claim_slot, cycle_time, huey

# Runs kept per job on the admin page; older ones are deleted as new ones start.
RUNS_KEPT_DAYS = 60
# An expired sign-in or invitation link is deleted this long after it expired.
LINKS_KEPT_DAYS = 30

SCHEDULED = ("backup", "purge", "summaries", "expire_links")


def recorded(name: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    """Record each run of the job: started, finished, ok or the error, a one-line result."""

    def decorator(job: Callable[[], str]) -> Callable[[], str]:
        @functools.wraps(job)
        def run() -> str:
            started = timezone.now()
            JobRun.objects.filter(
                name=name, started_at__lt=started - datetime.timedelta(days=RUNS_KEPT_DAYS)
            ).delete()
            row = JobRun.objects.create(name=name, started_at=started)
            try:
                detail = job()
            except Exception as exc:
                row.ok, row.detail = False, f"{type(exc).__name__}: {exc}"[:500]
                row.finished_at = timezone.now()
                row.save()
                raise  # retried, then kept as a FailedJob
            row.ok, row.detail, row.finished_at = True, detail[:500], timezone.now()
            row.save()
            return detail

        return run

    return decorator


@recorded("purge")
def purge() -> str:
    """Delete the records of clients erased longer ago than the retention period."""
    from openipt.privacy.erasure import purge_due

    return f"{len(purge_due())} records purged."


@recorded("summaries")
def refresh_summaries() -> str:
    """Recompute the running courses' summary columns (a day passing makes measures due)."""
    from openipt.assessments.summary import refresh_course_summary
    from openipt.core import kept
    from openipt.courses.models import Course

    changed = total = 0
    for course in Course.objects.filter(status=Course.Status.ACTIVE).order_by("pk").iterator():
        total += 1
        with transaction.atomic():
            changed += bool(refresh_course_summary(course, force=True))
    if changed:
        kept.changed_everything()
    return f"{total} summaries recomputed, {changed} changed."


@recorded("expire_links")
def expire_links() -> str:
    """Delete sign-in and invitation links that expired more than a month ago."""
    from openipt.portal.models import PortalLink

    cutoff = timezone.now() - datetime.timedelta(days=LINKS_KEPT_DAYS)
    deleted, _ = PortalLink.objects.filter(expires_at__lt=cutoff).delete()
    return f"{deleted} expired links deleted."


def backup_dir() -> Path:
    return Path(settings.OPENIPT_BACKUP_DIR)


@recorded("backup")
def backup() -> str:
    """Back up the database into the backup folder and keep the newest OPENIPT_BACKUP_KEEP."""
    from openipt.privacy.backup import backup as make_backup

    keep = int(settings.OPENIPT_BACKUP_KEEP)
    if keep == 0:
        return "Scheduled backups are off (OPENIPT_BACKUP_KEEP=0)."
    folder = backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"openipt-{timezone.now():%Y%m%d-%H%M%S}.backup"
    make_backup(target)
    target.chmod(0o600)
    made = sorted(folder.glob("openipt-*.backup"))
    for old in made[:-keep]:
        old.unlink()
    return f"Wrote {target.name}; {min(len(made), keep)} backups kept."


# The schedule, in UTC (Huey runs with utc=True). Each job runs once an hour at most, however
# many workers' schedulers queue it (claim_slot).
JOBS: dict[str, Callable[[], str]] = {
    "backup": backup,
    "summaries": refresh_summaries,
    "purge": purge,
    "expire_links": expire_links,
}


def _scheduled(name: str, task: Any) -> str:
    if not claim_slot(name, cycle_time(), str(task.id)):
        return "Already run this hour."
    return JOBS[name]()


@huey.periodic_task(
    crontab(minute="30", hour="1"), retries=RETRIES, retry_delay=RETRY_DELAY, context=True
)
def backup_job(task: Any = None) -> str:
    return _scheduled("backup", task)


@huey.periodic_task(
    crontab(minute="10", hour="2"), retries=RETRIES, retry_delay=RETRY_DELAY, context=True
)
def summaries_job(task: Any = None) -> str:
    return _scheduled("summaries", task)


@huey.periodic_task(
    crontab(minute="10", hour="3"), retries=RETRIES, retry_delay=RETRY_DELAY, context=True
)
def purge_job(task: Any = None) -> str:
    return _scheduled("purge", task)


@huey.periodic_task(
    crontab(minute="30", hour="3"), retries=RETRIES, retry_delay=RETRY_DELAY, context=True
)
def expire_links_job(task: Any = None) -> str:
    return _scheduled("expire_links", task)


def last_runs() -> dict[str, JobRun | None]:
    """Return the latest run of each scheduled job (None for one that never ran)."""
    return {name: JobRun.objects.filter(name=name).first() for name in SCHEDULED}
