"""Settings of the insights area, each a Django setting or else an environment variable.

They are read when used, never at import time; `check()` runs at start-up so that a bad
value fails loudly. Every one is listed in docs/deployment.md.
"""

from __future__ import annotations

from django.conf import settings

from openipt.conf import env_bool, env_int


def supervisors_see_service() -> bool:
    """Return whether supervisors may see the whole service's (aggregate) outcomes.

    Default True: the report holds aggregates only, with small numbers suppressed.
    """
    value = getattr(settings, "OPENIPT_SUPERVISORS_SEE_SERVICE_OUTCOMES", None)
    if value is None:
        return env_bool("OPENIPT_SUPERVISORS_SEE_SERVICE_OUTCOMES", True)
    return bool(value)


def min_cell() -> int:
    """Return the smallest count shown in outcome reports; 1..min_cell-1 are suppressed."""
    value = getattr(settings, "OPENIPT_OUTCOMES_MIN_CELL", None)
    if value is None:
        return env_int("OPENIPT_OUTCOMES_MIN_CELL", 5, minimum=1)
    return max(int(value), 1)


def overdue_grace_days() -> int:
    """Return the days allowed after the next session was due before a measure is overdue."""
    value = getattr(settings, "OPENIPT_MEASURE_OVERDUE_GRACE_DAYS", None)
    if value is None:
        return env_int("OPENIPT_MEASURE_OVERDUE_GRACE_DAYS", 0, minimum=0)
    return max(int(value), 0)


def check() -> None:
    """Read every setting once, so that a bad value raises ImproperlyConfigured now."""
    supervisors_see_service()
    min_cell()
    overdue_grace_days()
