"""Read the measures settings from the environment; fail loudly on anything unclear.

Imported by settings.py, so it must not import Django models or the measures registry.
"""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

_CODE = r"[a-z][a-z0-9_]*"
_RISK = re.compile(rf"^(?P<code>{_CODE}):(?P<item>[A-Za-z0-9_.-]{{1,32}}):(?P<min>\d+)$")
_PAIR = re.compile(rf"^(?P<code>{_CODE})=(?P<value>[0-9]*\.?[0-9]+)$")


def env_float(name: str, default: float, *, low: float, high: float) -> float:
    """Return the variable as a number in (low, high]; refuse anything else."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not low < value <= high:
        raise ImproperlyConfigured(f"{name} must be above {low} and at most {high}, not {value}")
    return value


def env_number_map(name: str) -> dict[str, float]:
    """Return "phq9=5.2,gad7=4.1" as {"phq9": 5.2, "gad7": 4.1}; empty when unset."""
    result: dict[str, float] = {}
    for part in _parts(name):
        match = _PAIR.match(part)
        if match is None:
            raise ImproperlyConfigured(f"{name}: {part!r} is not instrument=number (e.g. phq9=5.2)")
        result[match["code"]] = float(match["value"])
    return result


def env_risk_items(name: str) -> tuple[tuple[str, str, int], ...]:
    """Return "gad7:7:2,who5:1:0" as ((code, item id, lowest alerting answer), ...)."""
    items = []
    for part in _parts(name):
        match = _RISK.match(part)
        if match is None:
            raise ImproperlyConfigured(
                f"{name}: {part!r} is not instrument:item:lowest-answer (e.g. gad7:7:2)"
            )
        items.append((match["code"], match["item"], int(match["min"])))
    return tuple(items)


def _parts(name: str) -> list[str]:
    return [p.strip() for p in os.environ.get(name, "").split(",") if p.strip()]
