"""Your notifications, and acknowledging an alert, over REST (openipt.notify)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from openipt import policy
from openipt.api.schemas import responses
from openipt.assessments.access import get_alert_for_user
from openipt.notify import badge, escalation
from openipt.notify.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    link: str
    alert_id: int | None
    created_at: datetime
    read_at: datetime | None


class AcknowledgementOut(Schema):
    alert_id: int
    acknowledged_at: datetime
    acknowledged_by: str
    level: int


def _staff(request: HttpRequest) -> None:
    if not policy.has_role(request.user, "therapist", "supervisor", "admin"):
        raise PermissionDenied("Notifications are for staff.")


@router.get(
    "/notifications", response=responses(list[NotificationOut]), summary="List your notifications"
)
@paginate(LimitOffsetPagination)
def list_notifications(request: HttpRequest, unread: bool = False):
    _staff(request)
    mine = Notification.objects.in_app_for(request.user).order_by("-created_at", "-id")
    return mine.unread() if unread else mine


@router.post(
    "/notifications/{notification_id}/read",
    response=responses(NotificationOut),
    summary="Mark one of your notifications read",
)
def read_notification(request: HttpRequest, notification_id: int):
    _staff(request)
    mine = Notification.objects.in_app_for(request.user)
    note = mine.filter(pk=notification_id).first()
    if note is None:
        raise Http404("No such notification")
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
        badge.changed(note.user_id)
    return note


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response=responses(AcknowledgementOut),
    summary="Acknowledge an alert: you are acting on it, and its escalation stops",
)
def acknowledge_alert(request: HttpRequest, alert_id: int):
    alert = get_alert_for_user(request, alert_id)
    watch = escalation.acknowledge(request.user, alert)
    return {
        "alert_id": alert.pk,
        "acknowledged_at": watch.acknowledged_at,
        "acknowledged_by": str(watch.acknowledged_by),
        "level": watch.level,
    }
