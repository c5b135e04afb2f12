"""Where axis ticks go, chosen as matplotlib chooses them, for charts drawn without it.

`integer_ticks` follows MaxNLocator(nbins, integer=True) and `date_ticks` follows the
AutoDateLocator(minticks=3, maxticks=6) that `style.use_date_axis` sets, with its labels,
so a chart drawn directly reads like the matplotlib ones beside it.
"""

from __future__ import annotations

import datetime
import math

from openipt.charts import style

# MaxNLocator's default steps at every power of ten, keeping whole numbers only.
_STEPS = sorted(
    {
        int(m * 10**k)
        for k in range(9)
        for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
        if float(m * 10**k).is_integer()
    }
)
_MAX_TICKS = 6
_MIN_TICKS = 3
_YEAR_STEPS = (1, 2, 4, 5, 10, 20, 40, 50, 100, 200, 400, 500, 1000)
_MONTH_STEPS = (1, 2, 3, 4, 6)
_DAY_STEPS = (1, 2, 4, 7, 14)


def integer_ticks(low: float, high: float, bins: int) -> list[int]:
    """Return whole-number ticks from low to high, at most about ``bins`` intervals apart."""
    raw = (high - low) / bins
    step = next((s for s in _STEPS if s >= raw), _STEPS[-1])
    first = math.ceil(low / step) * step
    return list(range(first, math.floor(high) + 1, step))


def date_ticks(first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, str]]:
    """Return the dated ticks between first and last with their labels ("3 Mar", "Mar 2025")."""
    span = (last - first).days
    days = [day for day in _tick_days(first, last) if first <= day <= last]
    if span > 300:
        return [(day, f"{style.MONTHS[day.month - 1]} {day.year}") for day in days]
    return [(day, f"{day.day} {style.MONTHS[day.month - 1]}") for day in days]


def _tick_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months = (last.year - first.year) * 12 + last.month - first.month
    if last.day < first.day:
        months -= 1  # whole months only, as dateutil's relativedelta counts them
    if months // 12 >= _MIN_TICKS:
        step = _step(months // 12, _YEAR_STEPS)
        start = math.ceil(first.year / step) * step
        return [datetime.date(year, 1, 1) for year in range(start, last.year + 1, step)]
    if months >= _MIN_TICKS:
        chosen = set(range(1, 13)[:: _step(months, _MONTH_STEPS)])
        return [day for day in _months(first, last) if day.month in chosen]
    step = _step((last - first).days, _DAY_STEPS)
    monthdays = {7: (1, 8, 15, 22), 14: (1, 15)}.get(step, tuple(range(1, 32))[::step])
    return [day for day in _days(first, last) if day.day in monthdays]


def _step(count: int, steps: tuple[int, ...]) -> int:
    """The smallest step that keeps ``count`` units within the maximum number of ticks."""
    return next((s for s in steps if count <= s * (_MAX_TICKS - 1)), steps[-1])


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of every month from first to last."""
    index = first.year * 12 + first.month - 1
    end = last.year * 12 + last.month - 1
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index, end + 1)]


def _days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
