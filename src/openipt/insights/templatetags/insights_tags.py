"""Small filters for the insights pages."""

from __future__ import annotations

from django import template

from openipt.measures import get_instrument

register = template.Library()


@register.filter
def instrument_short(code: str) -> str:
    """Return "PHQ-9" for "phq9": the instrument's name without its long form."""
    try:
        return get_instrument(code).name.split(" (")[0]
    except Exception:  # noqa: BLE001 - an unknown code is shown as it is
        return code


@register.filter
def percent(share: float | None) -> str:
    """Return a share of one as a whole per cent, or a dash when there is none."""
    return "–" if share is None else f"{round(share * 100)}%"
