"""Notification tests: staff with e-mail addresses, every hour a working hour."""

from __future__ import annotations

import pytest
from django.test import override_settings

from openipt.jobs.queue import huey, run_cycle
from openipt.notify import sms

ALL_DAY = {
    "OPENIPT_WORKING_HOURS": "00:00-24:00",
    "OPENIPT_WORKING_DAYS": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "OPENIPT_ALERT_ESCALATE_MINUTES": 30,
    "OPENIPT_DUTY_EMAIL": "duty@example.org",
    "OPENIPT_BASE_URL": "https://ipt.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "OPENIPT_SMS_BACKEND": "openipt.notify.sms.LocmemBackend",
    "OPENIPT_QUIET_HOURS": "00:00-00:00",
}


@pytest.fixture(autouse=True)
def _empty_queue():
    """Start each test with an empty queue: the database's is rolled back with the test,
    Redis keeps what earlier tests of this process left (a worker's heartbeat, slots)."""
    from django.conf import settings

    if settings.OPENIPT_REDIS_URL:
        huey.storage.flush_all()
        huey.storage.flush_results()


@pytest.fixture(autouse=True)
def _notify_settings():
    sms.outbox.clear()
    with override_settings(**ALL_DAY):
        yield


@pytest.fixture
def staff(cast):
    """The cast, with e-mail addresses for the therapist and the supervisor."""
    cast.therapist.email = "tom@example.org"
    cast.therapist.save(update_fields=["email"])
    cast.supervisor.email = "sue@example.org"
    cast.supervisor.save(update_fields=["email"])
    return cast


# The minute sweeps: a cycle run as at a later time must not also run that time's nightly
# backup or Monday's digest.
SWEEPS = ("escalate_job", "deliver_due_job")


def cycle(now=None) -> int:
    """Run one worker pass in this process, with the minute sweeps only."""
    return run_cycle(now, periodic=SWEEPS)
