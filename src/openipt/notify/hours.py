"""Working hours and quiet hours, in the service's local time (settings, read at call time)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(text: str, name: str) -> int:
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
    except ValueError:
        raise ImproperlyConfigured(f"{name}: write times as HH:MM, not {text!r}") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 24 * 60:
        raise ImproperlyConfigured(f"{name}: {text!r} is not a time of day")
    return hours * 60 + minutes


def parse_span(text: str, name: str) -> tuple[int, int]:
    """Return a "HH:MM-HH:MM" span as minutes after midnight (start, end)."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ImproperlyConfigured(f"{name} must look like 09:00-17:00, not {text!r}")
    return _minutes(start, name), _minutes(end, name)


def working_span() -> tuple[int, int]:
    start, end = parse_span(settings.OPENIPT_WORKING_HOURS, "OPENIPT_WORKING_HOURS")
    if start >= end:
        raise ImproperlyConfigured("OPENIPT_WORKING_HOURS must end after it starts")
    return start, end


def working_days() -> set[int]:
    days = {d.strip().lower()[:3] for d in settings.OPENIPT_WORKING_DAYS}
    unknown = days - set(DAYS)
    if unknown:
        raise ImproperlyConfigured(f"OPENIPT_WORKING_DAYS: unknown days {sorted(unknown)}")
    return {DAYS.index(d) for d in days}


def _local(when: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(when)


def _at(day: datetime.datetime, minute: int) -> datetime.datetime:
    midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + datetime.timedelta(minutes=minute)


def is_working_time(when: datetime.datetime) -> bool:
    """Return True inside working hours on a working day."""
    local = _local(when)
    start, end = working_span()
    minute = local.hour * 60 + local.minute
    return local.weekday() in working_days() and start <= minute < end


def next_working_start(when: datetime.datetime) -> datetime.datetime:
    """Return `when` if it is working time, else the start of the next working period."""
    if is_working_time(when):
        return when
    local, (start, _), days = _local(when), working_span(), working_days()
    if not days:
        raise ImproperlyConfigured("OPENIPT_WORKING_DAYS names no day")
    for ahead in range(8):
        day = local + datetime.timedelta(days=ahead)
        opening = _at(day, start)
        if day.weekday() in days and opening > local:
            return opening
    raise AssertionError("a working day falls within a week")  # pragma: no cover


def add_working_minutes(when: datetime.datetime, minutes: int) -> datetime.datetime:
    """Return the moment `minutes` of working time after `when`."""
    current, left = _local(next_working_start(when)), float(minutes)
    _, end = working_span()
    while True:
        closing = _at(current, end)
        room = (closing - current).total_seconds() / 60
        if left <= room:
            return current + datetime.timedelta(minutes=left)
        left -= room
        current = _local(next_working_start(closing))


def in_quiet_hours(when: datetime.datetime) -> bool:
    """Return True in the hours clients are not sent reminders (the span may wrap midnight)."""
    start, end = parse_span(settings.OPENIPT_QUIET_HOURS, "OPENIPT_QUIET_HOURS")
    local = _local(when)
    minute = local.hour * 60 + local.minute
    if start == end:
        return False
    return start <= minute < end if start < end else (minute >= start or minute < end)


def after_quiet_hours(when: datetime.datetime) -> datetime.datetime:
    """Return `when`, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(when):
        return when
    _, end = parse_span(settings.OPENIPT_QUIET_HOURS, "OPENIPT_QUIET_HOURS")
    local = _local(when)
    candidate = _at(local, end)
    return candidate if candidate > local else _at(local + datetime.timedelta(days=1), end)
