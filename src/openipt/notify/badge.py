"""The unread count in every staff page's navigation, kept in the shared cache.

Counting on every page cost a query on each request (the pinned page budgets caught it);
the count is kept per person and forgotten whenever one of their in-app notifications is
written or read, now and again once the writing transaction commits, so a request that
counted in between cannot keep a stale number.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction

from openipt.notify.models import Notification

KEEP_SECONDS = 3600  # a bound, not the freshness: every write forgets the count at once


def _key(user_id: int) -> str:
    return f"openipt:notify:unread:{user_id}"


def unread_count(user: Any) -> int:
    """Return how many in-app notifications the person has not read."""
    key = _key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.in_app_for(user).unread().count()
        cache.set(key, count, KEEP_SECONDS)
    return count


def changed(user_id: int | None) -> None:
    """Forget the person's count after a write to their in-app notifications."""
    if user_id is None:
        return
    cache.delete(_key(user_id))
    transaction.on_commit(lambda: cache.delete(_key(user_id)))
