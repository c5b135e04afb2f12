"""An alert reaches the therapist, then the supervisor, then the duty contact, until someone
acknowledges it; every step is on the alert's record (in-process worker cycles)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from openipt.assessments.models import Alert
from openipt.assessments.services import resolve_alert, submit_assessment
from openipt.notify import escalation
from openipt.notify.models import AlertEvent, AlertWatch, Notification
from tests.factories import make_course, phq9_answers
from tests.notify.conftest import cycle

pytestmark = pytest.mark.django_db


def raise_alert(cast) -> Alert:
    course = make_course(client=cast.client)
    answers = phq9_answers(total=14, item9=2)
    submitted = submit_assessment(cast.therapist, course, "phq9", answers)
    (alert,) = submitted.alerts
    return alert


def later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]


def test_it_emails_the_therapist_once_in_one_cycle(staff):
    alert = raise_alert(staff)
    cycle()
    cycle()
    assert recipients() == ["tom@example.org"]
    assert f"https://ipt.example.org/alerts/{alert.pk}/resolve/" in mail.outbox[0].body
    in_app = Notification.objects.in_app_for(staff.therapist).get()
    assert in_app.alert_id == alert.pk and in_app.read_at is None
    kinds = list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))
    assert kinds == ["notified"]


def test_it_escalates_to_the_supervisor_then_the_duty_contact(staff):
    alert = raise_alert(staff)
    cycle()
    cycle(later(29))
    assert recipients() == ["tom@example.org"]
    cycle(later(31))
    assert recipients() == ["tom@example.org", "sue@example.org"]
    assert Notification.objects.in_app_for(staff.supervisor).filter(alert=alert).exists()
    cycle(later(62))
    assert recipients() == ["tom@example.org", "sue@example.org", "duty@example.org"]
    cycle(later(200))
    assert len(mail.outbox) == 3
    details = list(AlertEvent.objects.filter(alert=alert).values_list("kind", "detail"))
    assert [kind for kind, _ in details] == ["notified", "escalated", "escalated"]
    assert "duty contact" in details[-1][1]


def test_acknowledging_stops_the_escalation(staff):
    alert = raise_alert(staff)
    cycle()
    escalation.acknowledge(staff.therapist, alert)
    escalation.acknowledge(staff.therapist, alert)  # twice changes nothing
    cycle(later(500))
    assert recipients() == ["tom@example.org"]
    watch = AlertWatch.objects.get(alert=alert)
    assert watch.acknowledged_by == staff.therapist and watch.next_at is None
    kinds = list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))
    assert kinds == ["notified", "acknowledged"]


def test_resolving_stops_the_escalation(staff):
    alert = raise_alert(staff)
    resolve_alert(staff.therapist, alert, "risk_assessed", "Seen today.")
    cycle(later(500))
    assert recipients() == ["tom@example.org"]
    assert AlertEvent.objects.filter(alert=alert, kind="stopped").exists()


def test_the_supervisor_may_acknowledge_but_an_outsider_may_not(staff):
    alert = raise_alert(staff)
    with pytest.raises(PermissionDenied):
        escalation.acknowledge(staff.outsider, alert)
    with pytest.raises(PermissionDenied):
        escalation.acknowledge(staff.client_user, alert)
    escalation.acknowledge(staff.supervisor, alert)
    assert AlertWatch.objects.get(alert=alert).acknowledged_by == staff.supervisor


def test_without_a_supervisor_it_goes_to_the_duty_contact(staff):
    staff.therapist.supervisor = None
    staff.therapist.save(update_fields=["supervisor"])
    raise_alert(staff)
    cycle(later(31))
    assert recipients() == ["tom@example.org", "duty@example.org"]


def test_a_failed_send_is_retried_with_back_off_then_marked_failed(staff, settings):
    settings.EMAIL_BACKEND = "tests.notify.failing.FailingBackend"
    settings.OPENIPT_MESSAGE_ATTEMPTS = 2
    alert = raise_alert(staff)
    escalation.acknowledge(staff.therapist, alert)
    cycle()
    message = Notification.objects.get(alert=alert, channel="email")
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    cycle(later(5))
    message.refresh_from_db()
    assert message.status == "failed" and "refused" in message.last_error


def test_it_starts_escalation_for_open_alerts_raised_before_notifications(staff):
    from openipt.jobs.report import report

    old = raise_alert(staff)
    AlertWatch.objects.filter(alert=old).delete()  # as if raised before this release
    Notification.objects.all().delete()
    old.raised_at = timezone.now() - datetime.timedelta(days=30)
    old.save(update_fields=["raised_at"])
    assert any("watch-open-alerts" in p for p in report().problems())
    assert escalation.watch_open_alerts() == 1
    assert escalation.watch_open_alerts() == 0  # once only
    watch = AlertWatch.objects.get(alert=old)
    assert watch.next_at is not None and watch.next_at > timezone.now()  # the clock starts now
    assert Notification.objects.in_app_for(staff.therapist).filter(alert=old).count() == 1
    assert not any("watch-open-alerts" in p for p in report().problems())
