"""The acceptance flow on a real SMTP server and a real `openipt worker` process.

A client's portal answer with PHQ-9 item 9 > 0 e-mails the therapist once; when the
escalation time has passed with no acknowledgement, the supervisor; after acknowledging,
nobody else. A worker killed while sending, then started again, sends each message once.
The queue is the leg's: the database on SQLite, Redis on PostgreSQL (OPENIPT_REDIS_URL).
"""

from __future__ import annotations

import collections
import datetime
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from openipt.assessments.services import submit_assessment
from openipt.measures import get_instrument
from openipt.notify import escalation
from openipt.notify.models import AlertWatch, Notification, StaffPreference
from openipt.portal import questionnaires
from tests.factories import build_cast, make_client, make_course, phq9_answers
from tests.notify.conftest import ALL_DAY
from tests.notify.smtp import Recorder, start_server

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WAIT = 20.0  # seconds: generous for a loaded machine; the flow itself takes a few


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.05)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def smtp() -> Iterator[Recorder]:
    controller, recorder = start_server()
    yield recorder
    recorder.release.set()
    controller.stop()


@pytest.fixture
def start_worker(smtp) -> Iterator[Callable[[], subprocess.Popen]]:
    env = {
        **os.environ,
        "OPENIPT_DATABASE_URL": database_url(),
        "OPENIPT_QUEUE_NAME": settings.OPENIPT_QUEUE_NAME,
        "OPENIPT_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPENIPT_EMAIL_HOST": "127.0.0.1",
        "OPENIPT_EMAIL_PORT": str(smtp.port),
        "OPENIPT_WORKER_TICK_SECONDS": "1",
        "OPENIPT_MESSAGE_LEASE_SECONDS": "2",
        "OPENIPT_WORKING_HOURS": ALL_DAY["OPENIPT_WORKING_HOURS"],
        "OPENIPT_WORKING_DAYS": ",".join(ALL_DAY["OPENIPT_WORKING_DAYS"]),
        "OPENIPT_DUTY_EMAIL": ALL_DAY["OPENIPT_DUTY_EMAIL"],
        "OPENIPT_BASE_URL": ALL_DAY["OPENIPT_BASE_URL"],
        "OPENIPT_BACKUP_KEEP": "0",  # should the test run at 01:30, no backup in the way
    }
    if settings.OPENIPT_REDIS_URL:
        env["OPENIPT_REDIS_URL"] = settings.OPENIPT_REDIS_URL
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        args = [sys.executable, "-m", "openipt.cli", "worker", "--workers", "1"]
        process = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def staff():
    cast = build_cast()
    for user, address in (
        (cast.therapist, "tom@example.org"),
        (cast.supervisor, "sue@example.org"),
    ):
        user.email = address
        user.save(update_fields=["email"])
    # Should the test run on Monday at 07:00, the digest must not join the e-mails counted.
    StaffPreference.objects.create(user=cast.supervisor, weekly_digest=False)
    return cast


def time_passes(alert) -> None:
    """The escalation time runs out (the timing itself is tested in test_escalation.py)."""
    gone = timezone.now() - datetime.timedelta(seconds=1)
    AlertWatch.objects.filter(alert=alert).update(next_at=gone)


def test_an_alert_is_emailed_escalated_and_sent_once_across_a_killed_worker(
    staff, smtp, start_worker
):
    course = make_course(client=staff.client)
    draft = questionnaires.start(staff.client_user, course, "phq9")
    item9 = get_instrument("phq9").items[8]
    (alert,) = questionnaires.save_answer(staff.client_user, draft, item9, 2)

    worker = start_worker()
    wait_for(lambda: smtp.to("tom@example.org"), "the therapist's e-mail")
    assert len(smtp.messages) == 1
    assert f"/alerts/{alert.pk}/resolve/" in smtp.messages[0].get_payload()

    time_passes(alert)
    wait_for(lambda: smtp.to("sue@example.org"), "the supervisor's e-mail")
    escalation.acknowledge(staff.supervisor, alert)
    time_passes(alert)  # the duty contact's time runs out too, but it was acknowledged
    time.sleep(2.5)  # two sweeps
    assert [m["X-Test-Recipients"] for m in smtp.messages] == ["tom@example.org", "sue@example.org"]

    # A second alert (staff entry) while the SMTP server holds the worker mid-send.
    smtp.stall_for = "tom@example.org"
    other = make_course(client=make_client(therapist=staff.therapist))
    submitted = submit_assessment(staff.therapist, other, "phq9", phq9_answers(total=9, item9=1))
    assert smtp.stalled.wait(WAIT), "the worker never reached the SMTP server"
    worker.kill()
    worker.wait(10)
    smtp.release.set()
    key = f"alert:{submitted.alerts[0].pk}:0:email:{staff.therapist.pk}"
    assert Notification.objects.get(key=key).status == "sending"

    start_worker()
    wait_for(lambda: len(smtp.to("tom@example.org")) == 2, "the resent e-mail")
    time.sleep(2.5)  # two more sweeps: nothing is sent again
    sent = collections.Counter(m["X-OpenIPT-Message"] for m in smtp.messages)
    assert set(sent.values()) == {1}
    emails = Notification.objects.filter(channel="email")
    assert set(sent) == set(emails.values_list("key", flat=True))
    assert set(emails.values_list("status", flat=True)) == {"sent"}
