"""The queue itself: the database storage, failures kept after the last retry, scheduled
jobs recorded, backups kept to a number, a daily job run once however many schedulers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from openipt.jobs import maintenance
from openipt.jobs.models import FailedJob, JobRun
from openipt.jobs.queue import backoff_delay, claim_slot, huey, run_cycle
from openipt.jobs.report import report
from openipt.jobs.storage import DatabaseStorage
from openipt.notify import hours
from tests.notify.conftest import cycle

pytestmark = pytest.mark.django_db


@huey.task(retries=1, retry_delay=60)
def always_fails(n: int) -> None:
    raise RuntimeError(f"broken {n}")


def test_the_database_storage_queues_schedules_and_keeps_data():
    storage = DatabaseStorage("test-storage")
    storage.enqueue(b"low", 0)
    storage.enqueue(b"high", 5)
    assert storage.queue_size() == 2 and storage.dequeue() == b"high"
    now = datetime.datetime(2026, 1, 1, 12)
    storage.add_to_schedule(b"later", now + datetime.timedelta(minutes=5))
    assert storage.read_schedule(now) == []
    assert storage.read_schedule(now + datetime.timedelta(minutes=6)) == [b"later"]
    assert storage.put_if_empty("k", b"1") and not storage.put_if_empty("k", b"2")
    assert storage.pop_data("k") == b"1" and not storage.has_data_for_key("k")


def test_a_job_that_keeps_failing_is_retried_with_a_delay_then_kept():
    always_fails(7)
    run_cycle(periodic=False)
    assert FailedJob.objects.count() == 0 and huey.scheduled_count() == 1
    run_cycle(timezone.now() + datetime.timedelta(seconds=61), periodic=False)
    failed = FailedJob.objects.get()
    assert failed.task == "always_fails" and "broken 7" in failed.error
    assert "1 jobs failed" in " ".join(report().problems())


def test_back_off_doubles():
    assert [backoff_delay(n, base=60) for n in (1, 2, 3)] == [60, 120, 240]


def test_a_scheduled_job_is_recorded_and_backups_are_kept_to_a_number(settings, tmp_path):
    settings.OPENIPT_BACKUP_DIR = tmp_path
    settings.OPENIPT_BACKUP_KEEP = 2
    for stamp in ("20260101-000000", "20260102-000000", "20260103-000000"):
        (tmp_path / f"openipt-{stamp}.backup").write_bytes(b"old")
    detail = maintenance.backup()
    assert "2 backups kept" in detail
    assert len(list(tmp_path.glob("openipt-*.backup"))) == 2
    run = JobRun.objects.get(name="backup")
    assert run.ok is True and run.finished_at is not None


def test_a_failed_scheduled_job_is_recorded_as_failed(settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.OPENIPT_BACKUP_DIR = blocker / "sub"  # cannot be made: a file is in the way
    with pytest.raises(OSError):
        maintenance.backup()
    assert JobRun.objects.get(name="backup").ok is False
    assert any("backup failed" in p for p in report().problems())


def test_a_daily_job_runs_once_an_hour_however_many_schedulers():
    when = timezone.now()
    assert claim_slot("purge", when, "task-a")
    assert claim_slot("purge", when, "task-a")  # its own retry
    assert not claim_slot("purge", when, "task-b")  # another host's scheduler


def test_working_minutes_skip_nights_and_weekends(settings):
    settings.OPENIPT_WORKING_HOURS = "09:00-17:00"
    settings.OPENIPT_WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri"]
    friday_4pm = timezone.make_aware(datetime.datetime(2026, 12, 4, 16, 0))
    assert hours.add_working_minutes(friday_4pm, 240) == timezone.make_aware(
        datetime.datetime(2026, 12, 7, 12, 0)
    )
    saturday = timezone.make_aware(datetime.datetime(2026, 12, 5, 22, 0))
    assert not hours.is_working_time(saturday)


def test_out_of_hours_the_duty_contact_is_next(settings):
    from openipt.notify.escalation import DUTY, plan_next

    settings.OPENIPT_WORKING_HOURS = "09:00-17:00"
    settings.OPENIPT_ALERT_OUT_OF_HOURS_MINUTES = 60
    saturday_night = timezone.make_aware(datetime.datetime(2026, 12, 5, 22, 0))
    step = plan_next(0, saturday_night)
    assert step["next_level"] == DUTY
    assert step["next_at"] == saturday_night + datetime.timedelta(minutes=60)


def test_check_says_when_no_worker_runs_the_escalation():
    assert "no worker has ever run the alert escalation" in " ".join(report().problems())
    cycle(timezone.now() - datetime.timedelta(minutes=10))
    assert "alert escalation since" in " ".join(report().problems())
    cycle()
    state = report()
    assert state.workers_running()
    assert not any("alert escalation" in p for p in state.problems())
