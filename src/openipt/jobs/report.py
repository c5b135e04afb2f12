"""The state of the jobs for the admin page and `openipt check`: one reader for both."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from openipt.jobs.maintenance import last_runs
from openipt.jobs.models import FailedJob, JobRun
from openipt.jobs.queue import last_beat, queue_state

# A daily job whose last good run is older than this is reported as late.
LATE_AFTER = datetime.timedelta(hours=26)
# The minute sweeps (alert escalation) not run for this long: no worker is running.
SWEEP_LATE_AFTER = datetime.timedelta(minutes=5)


@dataclass
class JobsReport:
    where: str
    queued: int
    scheduled: int
    runs: dict[str, JobRun | None]
    failed_jobs: int
    failed_messages: int
    last_sweep: datetime.datetime | None
    unwatched_alerts: int = 0

    def workers_running(self) -> bool:
        """Return True when a worker ran the minute sweeps (escalation) lately."""
        late = timezone.now() - SWEEP_LATE_AFTER
        return self.last_sweep is not None and self.last_sweep >= late

    def problems(self) -> list[str]:
        """Return what an admin must look at, in words."""
        found = []
        now = timezone.now()
        if self.last_sweep is None:
            found.append("no worker has ever run the alert escalation: start `openipt worker`")
        elif not self.workers_running():
            found.append(
                f"no worker has run the alert escalation since {self.last_sweep:%Y-%m-%d %H:%M}"
                " UTC: start `openipt worker`"
            )
        for name, run in self.runs.items():
            if run is None:
                found.append(f"{name} has not run yet (scheduled jobs run at night)")
            elif run.ok is False:
                found.append(f"{name} failed at {run.started_at:%Y-%m-%d %H:%M}: {run.detail}")
            elif now - run.started_at > LATE_AFTER:
                found.append(f"{name} last ran {run.started_at:%Y-%m-%d %H:%M}")
        if self.failed_jobs:
            found.append(f"{self.failed_jobs} jobs failed after their last retry")
        if self.failed_messages:
            found.append(f"{self.failed_messages} messages could not be delivered")
        if self.unwatched_alerts:
            found.append(
                f"{self.unwatched_alerts} open alerts were raised before notifications and "
                "nobody is told about them: run `openipt jobs watch-open-alerts`"
            )
        return found


def report() -> JobsReport:
    from openipt.notify.escalation import unwatched_alerts
    from openipt.notify.outbox import failed_messages

    state = queue_state()
    return JobsReport(
        where=state["where"],
        queued=state["queued"],
        scheduled=state["scheduled"],
        runs=last_runs(),
        failed_jobs=FailedJob.objects.filter(dismissed_at=None).count(),
        failed_messages=failed_messages(),
        last_sweep=last_beat(),
        unwatched_alerts=unwatched_alerts().count(),
    )
