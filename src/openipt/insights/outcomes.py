"""Service outcomes: referrals, courses started and ended, and NHS Talking Therapies rates.

A function layer that returns plain dicts, so pages, the API, exports and the benchmark share
it. Every figure is one SQL aggregate over the course summary columns (kept by the
assessments area from `openipt.measures.outcomes`), grouped by day (folded into months) or
a column, so it runs the same on SQLite and PostgreSQL; Python only merges the grouped rows.

Definitions (docs/deployment.md, "Service outcomes"): a referral is a client record created in
the period; a course ended in the period when its status is ended or discontinued and its
end date is in the period; finished = ended after at least two treatment sessions [S83],
[S84], [S87]; at caseness = finished and at caseness at the start [S83], [S80]. Each rate is
among the finished courses at caseness whose class could be computed (for example, a course
with a single score has no recovery class and is left out of that rate's denominator):
recovery [S87], [S81], reliable improvement and reliable recovery [S80], [S81], [S88]
(combination rule UNCONFIRMED, a setting of the assessments area), reliable deterioration
(UNCONFIRMED by symmetry), response (>= 50 % fall) and remission (PHQ-9 < 5) [S73], [S74].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Count, DateField, F, Field, Func, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import Star
from django.db.models.functions import TruncMonth
from django.utils import timezone

from openipt.charts.style import format_short_date
from openipt.courses.models import Course, ProblemArea
from openipt.courses.models import Format as CourseFormat
from openipt.protocol.errors import ProtocolError
from openipt.protocol.problem_areas import area_label

GROUPS = ("month", "therapist", "format", "area")
GROUP_FIELD = {"therapist": "therapist", "format": "format", "area": "primary_area"}
MAX_MONTHS = 120  # ten years: a bounded report, a bounded chart
COUNTS = ("referrals", "started", "ended", "finished", "at_caseness")
# Each rate: (name, course summary column).
RATES = (
    ("recovery", "recovered"),
    ("reliable_improvement", "reliably_improved"),
    ("reliable_recovery", "reliably_recovered"),
    ("reliable_deterioration", "reliably_deteriorated"),
    ("response", "responded"),
    ("remission", "remitted"),
)
RATE_NAMES = tuple(name for name, _ in RATES)
COLUMNS = (
    "key", "label", *COUNTS,
    *(f"{name}{part}" for name in RATE_NAMES for part in ("", "_n", "_pct")),
    "suppressed",
)  # fmt: skip
ENDED = (Course.Status.ENDED, Course.Status.DISCONTINUED)


@dataclass(frozen=True)
class Filters:
    """What the report covers: an inclusive period, a grouping and optional filters."""

    start: date
    end: date
    group: str = "month"
    therapist: int | None = None
    format: str = ""
    area: str = ""

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values.update(start=self.start.isoformat(), end=self.end.isoformat())
        return values


def default_period(today: date | None = None) -> tuple[date, date]:
    """Return the last twelve months, this one included."""
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
    return date(year, month + 1, 1), today


def check_filters(filters: Filters) -> None:
    """Refuse a report that makes no sense or has no bound, naming the field to blame."""
    problems: dict[str, str] = {}
    if filters.end < filters.start:
        problems["end"] = "The end of the period must not be before its start."
    elif len(_months(filters.start, filters.end)) > MAX_MONTHS:
        problems["start"] = f"The period may cover at most {MAX_MONTHS // 12} years."
    if filters.group not in GROUPS:
        problems["group"] = "Group by month, therapist, format or problem area."
    if filters.format and filters.format not in CourseFormat.values:
        problems["format"] = "Unknown format."
    if filters.area and filters.area not in ProblemArea.values:
        problems["area"] = "Unknown problem area."
    if problems:
        raise ValidationError(problems)


def report(
    filters: Filters, courses: QuerySet[Course], clients: QuerySet, *, min_cell: int = 1
) -> dict[str, Any]:
    """Return the outcome report over the given (already scoped) courses and clients.

    Three grouped queries (referrals, starts, endings) and, grouped by therapist, one for
    names; the cost does not grow with the number of courses beyond the database's own.
    `openipt.insights.services` keeps the result until a course or client it counts changes.
    """
    check_filters(filters)
    # A course opened in error never happened: it is counted nowhere.
    courses = _filtered(courses, filters).exclude(status=Course.Status.OPENED_IN_ERROR)
    raw: dict[Any, dict[str, Any]] = {}
    if _referrals_apply(filters):
        _merge(raw, _referrals(clients, filters), "referrals")
    _merge(raw, _started(courses, filters), "started")
    for found in _ended(courses, filters):
        _add(raw.setdefault(_key(found.pop("key")), {}), found)
    keys = _months(filters.start, filters.end) if filters.group == "month" else sorted(raw, key=str)
    labels = _labels(filters.group, keys)
    rows = [_row(key, labels[key], raw.get(key, {}), filters) for key in keys]
    if filters.group != "month":
        rows.sort(key=lambda row: (str(row["label"]).lower(), str(row["key"])))
    total = _total(rows, filters)
    return {
        "filters": filters.as_dict(),
        "min_cell": min_cell,
        "rows": [suppress(row, min_cell) for row in rows],
        "total": suppress(total, min_cell),
    }


# --- queries ---------------------------------------------------------------------------------


def _filtered(courses: QuerySet[Course], filters: Filters) -> QuerySet[Course]:
    if filters.therapist is not None:
        courses = courses.filter(therapist_id=filters.therapist)
    if filters.format:
        courses = courses.filter(format=filters.format)
    if filters.area:
        courses = courses.filter(primary_area=filters.area)
    return courses


def _referrals_apply(filters: Filters) -> bool:
    """Referrals are clients, who have no format or area: count them only where they fit."""
    return filters.group in ("month", "therapist") and not (filters.format or filters.area)


def _group_by(filters: Filters, date_field: str, *, client: bool = False) -> Any:
    """Return the grouping key; by month, a date column groups by its day (see `_key`).

    `TruncMonth` is a Python function per row on SQLite (seconds over a million rows). A
    day is the indexed column itself, a thousand-odd groups that Python folds into months.
    """
    if filters.group == "month":
        return F(date_field)
    return F("primary_therapist" if client else GROUP_FIELD[filters.group])


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _referrals(clients: QuerySet, filters: Filters) -> Iterable[dict[str, Any]]:
    if filters.therapist is not None:
        clients = clients.filter(primary_therapist_id=filters.therapist)
    if filters.group == "month" and connections[clients.db].vendor == "sqlite":
        return _referrals_by_month_ranges(clients, filters)
    since, until = _midnight(filters.start), _midnight(filters.end + timedelta(days=1))
    clients = clients.filter(created_at__gte=since, created_at__lt=until)
    if filters.group == "month" and connections[clients.db].vendor == "postgresql":
        return _referrals_by_month_buckets(clients, filters)
    if filters.group == "month":  # native on other databases, in the service's time zone
        return clients.values(key=TruncMonth("created_at")).annotate(n=_rows()).order_by()
    key = _group_by(filters, "created_at", client=True)
    return clients.values(key=key).annotate(n=_rows()).order_by()


def _referrals_by_month_buckets(clients: QuerySet, filters: Filters) -> list[dict[str, Any]]:
    """Count referrals by month on PostgreSQL with `width_bucket` over the months' first
    local midnights: a binary search per client instead of converting every timestamp to
    the service's time zone (`TruncMonth`), which costs twice as long over a million rows.
    The boundaries are those of `_referrals_by_month_ranges`, so both count the same."""
    spans = _month_spans(filters)
    edges = Value([_midnight(first) for first, _ in spans], output_field=Field())
    found = clients.values(bucket=_WidthBucket(F("created_at"), edges)).annotate(n=_rows())
    return [{"key": spans[row["bucket"] - 1][0], "n": row["n"]} for row in found.order_by()]


class _WidthBucket(Func):
    """PostgreSQL's `width_bucket(time, thresholds)`: the 1-based span a time falls in."""

    function = "width_bucket"
    template = "%(function)s(%(expressions)s::timestamptz[])"  # the thresholds come last
    output_field = IntegerField()


def _referrals_by_month_ranges(clients: QuerySet, filters: Filters) -> QuerySet:
    """Count referrals by month on SQLite, where `TruncMonth` is Python called per row.

    One count per month, each one range of the created_at index (a second range on the same
    column would make SQLite read the whole period for every month), in one statement.
    Boundaries are local midnights, so months are the service's months.
    """
    counts = [
        clients.filter(created_at__gte=_midnight(first), created_at__lt=_midnight(after))
        .values(key=Value(first.replace(day=1), output_field=DateField()))
        .annotate(n=_rows())
        .order_by()
        for first, after in _month_spans(filters)
    ]
    return counts[0].union(*counts[1:], all=True)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _month_spans(filters: Filters) -> list[tuple[date, date]]:
    """Return each month of the period, cut to the period: (first day, the day after)."""
    months = _months(filters.start, filters.end)
    ends = [*months[1:], _next_month(months[-1])]
    last = filters.end + timedelta(days=1)
    return [
        (max(month, filters.start), min(after, last))
        for month, after in zip(months, ends, strict=True)
    ]


def _started(courses: QuerySet[Course], filters: Filters) -> QuerySet:
    courses = courses.filter(started_on__gte=filters.start, started_on__lte=filters.end)
    return courses.values(key=_group_by(filters, "started_on")).annotate(n=_rows()).order_by()


def _ended(courses: QuerySet[Course], filters: Filters) -> list[dict[str, Any]]:
    at_caseness = Q(finished=True, caseness=True)
    # Annotations carry a "c_" prefix: "finished" is also a column of the course.
    counts: dict[str, Any] = {
        "c_ended": _rows(),
        "c_finished": _rows(Q(finished=True)),
        "c_at_caseness": _rows(at_caseness),
    }
    for name, column in RATES:
        counts[f"c_{name}"] = _rows(at_caseness & Q(**{column: True}))
        counts[f"c_{name}_n"] = _rows(at_caseness & Q(**{f"{column}__isnull": False}))
    ended = courses.filter(status__in=ENDED, ended_on__gte=filters.start, ended_on__lte=filters.end)
    # Grouped by status too, the rows come in the covering index's order (status, ended_on)
    # and need no sort; the two statuses of a group are added together by the caller.
    key = _group_by(filters, "ended_on")
    found = ended.values("status", key=key).annotate(**counts).order_by()
    return [
        {name.removeprefix("c_"): value for name, value in item.items() if name != "status"}
        for item in found
    ]


def _rows(where: Q | None = None) -> Count:
    """Count the rows (that match `where`): COUNT(*), not COUNT(id), so that no column is
    read: the same number, a third less time over a million endings on SQLite, and
    index-only scans on PostgreSQL, whose indexes do not hold the id."""
    return _RowCount(filter=where)


class _RowCount(Count):
    """COUNT(*) with an optional FILTER clause. Django's Count refuses a star with a filter
    for databases without FILTER; SQLite (3.30 and later) and PostgreSQL have it."""

    def __init__(self, filter: Q | None = None) -> None:
        super(Count, self).__init__(Star(), filter=filter)


def _merge(raw: dict[Any, dict[str, Any]], found: Iterable[dict[str, Any]], name: str) -> None:
    for item in found:
        _add(raw.setdefault(_key(item["key"]), {}), {name: item["n"]})


def _add(into: dict[str, Any], counts: dict[str, Any]) -> None:
    """Add counts into a group's counts: the days of a month arrive one by one."""
    for name, value in counts.items():
        into[name] = into.get(name, 0) + value


def _key(value: Any) -> Any:
    """Return a month as the date of its first day, whatever the database handed back."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    return value


def _months(start: date, end: date) -> list[date]:
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [date(m // 12, m % 12 + 1, 1) for m in range(first, last + 1)]


def _labels(group: str, keys: list[Any]) -> dict[Any, str]:
    if group == "month":
        return {key: format_short_date(key) for key in keys}
    if group == "therapist":
        users = get_user_model().objects.filter(pk__in=[k for k in keys if k is not None])
        names = {user.pk: str(user) for user in users}
        return {key: names.get(key, "Unknown therapist") for key in keys}
    if group == "format":
        names = {value: str(label) for value, label in CourseFormat.choices}
        return {key: str(names.get(key, key)) for key in keys}
    return {key: _area_name(key) for key in keys}


def _area_name(code: str) -> str:
    if not code:
        return "Not recorded"
    try:
        scheme = settings.OPENIPT_PROBLEM_AREA_NAMING
        return area_label(code, scheme) or area_label(code, "canonical") or code
    except ProtocolError:
        return code


# --- rows ------------------------------------------------------------------------------------


def _row(key: Any, label: str, found: dict[str, Any], filters: Filters) -> dict[str, Any]:
    row: dict[str, Any] = {"key": _key_text(key), "label": label}
    for name in COUNTS:
        row[name] = found.get(name, 0)
    if not _referrals_apply(filters):
        row["referrals"] = None
    for name in RATE_NAMES:
        row[name] = found.get(name, 0)
        row[f"{name}_n"] = found.get(f"{name}_n", 0)
        row[f"{name}_pct"] = _pct(row[name], row[f"{name}_n"])
    row["suppressed"] = []
    return row


def _key_text(key: Any) -> str:
    if isinstance(key, date):
        return key.strftime("%Y-%m")
    return "" if key is None else str(key)


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _total(rows: list[dict[str, Any]], filters: Filters) -> dict[str, Any]:
    """Return the sum of the rows: counts add up exactly, rates are recomputed."""
    summed = {
        name: sum(row[name] or 0 for row in rows)
        for name in (*COUNTS, *RATE_NAMES, *(f"{n}_n" for n in RATE_NAMES))
    }
    return _row("total", "All", summed, filters) | {"key": "total"}


# --- small-number suppression ---------------------------------------------------------------


def suppress(row: dict[str, Any], min_cell: int) -> dict[str, Any]:
    """Hide counts from 1 to min_cell - 1 and every rate that would let them be worked out.

    A rate is hidden when its denominator is below min_cell, or when the number with or
    without the outcome is a suppressed small number (the other is the denominator minus
    it). Zero is shown: it identifies no one. Secondary suppression across rows and columns
    is not attempted (docs/deployment.md says what this means for shared tables).
    """
    row = dict(row)
    hidden: list[str] = []

    def small(value: int | None) -> bool:
        return value is not None and 0 < value < min_cell

    for name in COUNTS:
        if small(row[name]):
            row[name] = None
            hidden.append(name)
    for name in RATE_NAMES:
        yes, whole = row[name], row[f"{name}_n"]
        if small(whole):
            row[f"{name}_n"] = None
            hidden.append(f"{name}_n")
        if small(yes) or (whole is not None and small(whole - (yes or 0))) or small(whole):
            row[name] = None
            hidden.append(name)
        if row[f"{name}_pct"] is not None and (row[name] is None or whole < min_cell):
            row[f"{name}_pct"] = None
            hidden.append(f"{name}_pct")
    row["suppressed"] = hidden
    return row
