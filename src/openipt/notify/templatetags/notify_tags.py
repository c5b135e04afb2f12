"""The unread badge in the navigation and the notification record on an alert's page."""

from __future__ import annotations

from typing import Any

from django import template

from openipt import policy
from openipt.notify import badge
from openipt.notify.escalation import record_of
from openipt.notify.models import AlertWatch

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """Return how many in-app notifications the user has not read (one indexed count)."""
    if not getattr(user, "is_authenticated", False) or policy.is_client(user):
        return 0
    return badge.unread_count(user)


@register.inclusion_tag("notify/_alert_record.html", takes_context=True)
def alert_record(context: dict[str, Any], alert: Any) -> dict[str, Any]:
    """Show who was told about the alert and when, and the Acknowledge button."""
    user = context["request"].user
    watch = AlertWatch.objects.filter(alert=alert).select_related("acknowledged_by").first()
    acknowledged = watch is not None and watch.acknowledged_at is not None
    return {
        "alert": alert,
        "events": record_of(alert),
        "watch": watch,
        "can_acknowledge": alert.is_open
        and not acknowledged
        and policy.may_acknowledge_alert(user, alert),
        "csrf_token": context.get("csrf_token"),
    }
