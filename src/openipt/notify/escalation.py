"""Risk alerts reach a person: the therapist at once, then the supervisor, then the duty
contact, until someone acknowledges the alert or resolves it (docs/safety.md).

Every message and step is written on the alert's record (AlertEvent). Messages say that an
alert needs attention and link to it; they never say whose it is or what was answered.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.assessments.models import Alert
from openipt.notify import badge, hours
from openipt.notify.models import AlertEvent, AlertWatch, Notification, StaffPreference
from openipt.notify.outbox import queue_message
from openipt.portal.conf import base_url

THERAPIST, SUPERVISOR, DUTY = 0, 1, 2
WHO = {THERAPIST: "the therapist", SUPERVISOR: "the supervisor", DUTY: "the duty contact"}
SWEEP_BATCH = 200


def plan_next(level: int, now: datetime.datetime) -> dict[str, Any]:
    """Return the next step after `level` was told at `now`: whom, and when.

    In working hours the next person is told after OPENIPT_ALERT_ESCALATE_MINUTES of working
    time; out of hours the duty contact is told after OPENIPT_ALERT_OUT_OF_HOURS_MINUTES,
    since the therapist and supervisor are not at work.
    """
    if level >= DUTY:
        return {"next_level": DUTY, "next_at": None}
    if not hours.is_working_time(now):
        wait = datetime.timedelta(minutes=settings.OPENIPT_ALERT_OUT_OF_HOURS_MINUTES)
        return {"next_level": DUTY, "next_at": now + wait}
    minutes = settings.OPENIPT_ALERT_ESCALATE_MINUTES
    return {"next_level": level + 1, "next_at": hours.add_working_minutes(now, minutes)}


def _texts(alert: Alert, level: int) -> tuple[str, str, str]:
    link = alert.get_absolute_url()
    service = settings.OPENIPT_SERVICE_NAME
    if level == THERAPIST:
        subject = f"{service}: an alert needs your attention"
        lead = "A risk alert in OpenIPT needs your attention."
    else:
        subject = f"{service}: an alert has not been acknowledged"
        lead = (
            f"A risk alert in OpenIPT has not been acknowledged by {WHO[level - 1]} "
            "in the time the service set, and was passed to you."
        )
    body = (
        f"{lead}\n\nOpen it (sign in first): {base_url()}{link}\n\n"
        "This message holds no details of the client on purpose; they are in OpenIPT.\n"
    )
    return subject, body, link


def _email_time(user, now: datetime.datetime) -> datetime.datetime | None:
    """Return when to e-mail this staff member (None: not at all), from their preferences."""
    pref = StaffPreference.objects.filter(user=user).first()
    if pref is not None and not pref.email_alerts:
        return None
    if pref is not None and not pref.email_out_of_hours:
        return hours.next_working_start(now)
    return now


def _tell_user(alert: Alert, level: int, user, now: datetime.datetime) -> str:
    subject, body, link = _texts(alert, level)
    kind = Notification.Kind.ALERT if level == THERAPIST else Notification.Kind.ESCALATION
    base = f"alert:{alert.pk}:{level}"
    queue_message(
        key=f"{base}:in_app:{user.pk}", kind=kind, channel=Notification.Channel.IN_APP,
        subject=subject, body=body, user=user, alert=alert, link=link,
    )  # fmt: skip
    when = _email_time(user, now)
    if when is None or not user.email:
        return "in OpenIPT (no e-mail: " + ("none set)" if not user.email else "turned off)")
    queue_message(
        key=f"{base}:email:{user.pk}", kind=kind, channel=Notification.Channel.EMAIL,
        subject=subject, body=body, user=user, address=user.email, alert=alert, link=link,
        not_before=when,
    )  # fmt: skip
    return "in OpenIPT and by e-mail" + (" (sent when working hours start)" if when > now else "")


def _tell_duty(alert: Alert, now: datetime.datetime) -> str | None:
    address = settings.OPENIPT_DUTY_EMAIL
    if not address:
        return None
    subject, body, link = _texts(alert, DUTY)
    queue_message(
        key=f"alert:{alert.pk}:{DUTY}:email:duty", kind=Notification.Kind.ESCALATION,
        channel=Notification.Channel.EMAIL, subject=subject, body=body, address=address,
        alert=alert, link=link,
    )  # fmt: skip
    return "by e-mail"


def _event(alert: Alert, kind: str, now: datetime.datetime, user=None, detail: str = "") -> None:
    AlertEvent.objects.create(alert=alert, kind=kind, at=now, user=user, detail=detail[:200])


def alert_raised(alert: Alert, now: datetime.datetime | None = None) -> None:
    """Tell the course's therapist and start the escalation clock (at `now`, else when the
    alert was raised); inside the alert's own transaction, so an alert never exists without
    its notification."""
    now = now or alert.raised_at or timezone.now()
    therapist = alert.course.therapist
    how = _tell_user(alert, THERAPIST, therapist, now)
    _event(alert, AlertEvent.Kind.NOTIFIED, now, therapist, f"The therapist was told {how}.")
    for supervisor in _group_supervisors(alert):
        how = _tell_user(alert, THERAPIST, supervisor, now)
        detail = f"The supervisor of the member's group was told {how}."
        _event(alert, AlertEvent.Kind.NOTIFIED, now, supervisor, detail)
    AlertWatch.objects.create(alert=alert, level=THERAPIST, **plan_next(THERAPIST, now))


def _group_supervisors(alert: Alert) -> list:
    """Return the supervisors of the groups the client is a current member of: a group
    member's risk goes to the facilitators' supervisor at once (issue 17), besides the
    clinician who holds the record."""
    from openipt.groups.models import Group

    groups = Group.objects.filter(
        memberships__course_id=alert.course_id, memberships__left_on=None
    ).select_related("supervisor")
    therapist_id = alert.course.therapist_id
    found = {g.supervisor.pk: g.supervisor for g in groups if g.supervisor.is_active}
    found.pop(therapist_id, None)
    return list(found.values())


def unwatched_alerts():
    """Return the open alerts with no escalation: raised before notifications existed."""
    return Alert.objects.open().filter(watch__isnull=True, course__client__erasure__isnull=True)


def watch_open_alerts() -> int:
    """Tell the therapist of each unwatched open alert and start its escalation, as for a new
    alert; return how many. Run once after upgrading (`openipt jobs watch-open-alerts`): the
    service chooses when its supervisors may be told about every old unacknowledged alert."""
    started = 0
    for alert in unwatched_alerts().select_related("course__therapist").order_by("id"):
        with transaction.atomic():
            if AlertWatch.objects.filter(alert=alert).exists():
                continue
            alert_raised(alert, now=timezone.now())  # the clock starts now, not when raised
            started += 1
    return started


def _escalate(watch: AlertWatch, now: datetime.datetime) -> None:
    alert, target = watch.alert, watch.next_level
    if target == SUPERVISOR:
        supervisor = alert.course.therapist.supervisor
        if supervisor is not None and supervisor.is_active:
            how = _tell_user(alert, SUPERVISOR, supervisor, now)
            _event(
                alert, AlertEvent.Kind.ESCALATED, now, supervisor, f"The supervisor was told {how}."
            )
        else:
            _event(alert, AlertEvent.Kind.ESCALATED, now, None, "The therapist has no supervisor.")
            target = DUTY
    if target == DUTY:
        told = _tell_duty(alert, now)
        detail = f"The duty contact was told {told}." if told else "No duty contact is set."
        _event(alert, AlertEvent.Kind.ESCALATED, now, None, detail)
    watch.level = target
    for field, value in plan_next(target, now).items():
        setattr(watch, field, value)
    watch.save(update_fields=["level", "next_level", "next_at"])


def escalate_due(now: datetime.datetime | None = None) -> int:
    """Take each alert whose next step is due one step on; return how many moved.

    An alert resolved meanwhile has its escalation stopped instead. Safe to run at once on
    several workers: each alert is locked and its step checked again inside the lock.
    """
    now = now or timezone.now()
    due = AlertWatch.objects.filter(next_at__lte=now, acknowledged_at=None)
    moved = 0
    for pk in list(due.order_by("next_at").values_list("pk", flat=True)[:SWEEP_BATCH]):
        with transaction.atomic():
            watch = (
                AlertWatch.objects.select_for_update(of=("self",))
                .select_related("alert__course__therapist__supervisor")
                .get(pk=pk)
            )
            if watch.next_at is None or watch.next_at > now or watch.acknowledged_at:
                continue
            if watch.alert.status != Alert.Status.OPEN:
                watch.next_at = None
                watch.save(update_fields=["next_at"])
                _event(watch.alert, AlertEvent.Kind.STOPPED, now, watch.alert.resolved_by,
                       "The alert was resolved.")  # fmt: skip
                continue
            _escalate(watch, now)
            moved += 1
    return moved


def acknowledge(actor, alert: Alert) -> AlertWatch:
    """Record that `actor` has seen the alert and is acting on it: escalation stops.

    Acknowledging twice changes nothing. Anyone who may see the alert may acknowledge it
    (the therapist, their supervisor); resolving it still needs its therapist.
    """
    if not policy.may_acknowledge_alert(actor, alert):
        raise PermissionDenied("Only a clinician who may see this alert can acknowledge it.")
    now = timezone.now()
    with transaction.atomic():
        watch, _ = AlertWatch.objects.select_for_update().get_or_create(
            alert=alert, defaults={"level": THERAPIST, "next_level": SUPERVISOR}
        )
        if watch.acknowledged_at is not None:
            return watch
        watch.acknowledged_at, watch.acknowledged_by, watch.next_at = now, actor, None
        watch.save(update_fields=["acknowledged_at", "acknowledged_by", "next_at"])
        _event(alert, AlertEvent.Kind.ACKNOWLEDGED, now, actor, "Escalation stopped.")
        Notification.objects.filter(
            alert=alert, channel=Notification.Channel.IN_APP, user=actor, read_at=None
        ).update(read_at=now)
        badge.changed(actor.pk)
    return watch


def record_of(alert: Alert) -> list[AlertEvent]:
    """Return the alert's notification record, oldest first."""
    return list(AlertEvent.objects.filter(alert=alert).select_related("user"))
