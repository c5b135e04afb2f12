"""The intake checks of a format: its exclusions and its age range, e.g. IPT-A's [S15]."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError

from openipt.clients.models import Client
from openipt.courses.checks import today
from openipt.protocol.formats import Format, get_format
from openipt.protocol.rules import Notice


def screen(fmt: Format, flags: Sequence[str] | None) -> list[dict[str, object]]:
    """Record the intake screen; refuse the format when an exclusion is present [S15].

    None means "not screened yet" (the first session's agenda reminds about it); a list
    names the exclusions found, so an empty list records a screen with none found.
    """
    if flags is None:
        return []
    known = {flag.id: flag for flag in fmt.intake_flags}
    if not known:
        if flags:
            raise ValidationError({"intake_flags": f"{fmt.name} has no intake exclusions."})
        return []
    unknown = sorted(set(flags) - set(known))
    if unknown:
        raise ValidationError(
            {"intake_flags": f"Unknown intake flags: {', '.join(unknown)}."},
            code="unknown_flag",
        )
    present = [known[f].label.lower() for f in known if f in flags]
    if present:
        raise ValidationError(
            {
                "intake_flags": f"{fmt.name} is not indicated for {', '.join(present)} [S15]. "
                "Offer another treatment or refer."
            },
            code="not_indicated",
        )
    return [{"id": f, "present": False, "screened_on": today().isoformat()} for f in known]


def age_on(born: date, day: date) -> int:
    """Return the age in whole years on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_age(fmt: Format, client: Client, on: date) -> None:
    """Refuse a format for a client outside its age range, e.g. IPT-A's 12-18 [S15]."""
    if fmt.ages is None or client.date_of_birth is None:
        return
    age = age_on(client.date_of_birth, on)
    if age not in fmt.ages:
        tags = ", ".join(f"[{tag}]" for tag in fmt.ages.sources)
        raise ValidationError(
            {
                "format": f"{fmt.name} is for people aged {fmt.ages.min} to {fmt.ages.max} "
                f"{tags}; {client.name} is {age}. Choose another format."
            },
            code="outside_ages",
        )


def intake_notices(client: Client, format_code: str) -> list[Notice]:
    """Return what to check when opening a course: an unknown age where a format has an
    age range (the range itself is enforced by `check_age`)."""
    fmt = get_format(format_code)
    if fmt.ages is None or client.date_of_birth is not None:
        return []
    message = (
        f"{fmt.name} is for people aged {fmt.ages.min} to {fmt.ages.max}: record "
        f"{client.name}'s date of birth to confirm it."
    )
    return [Notice("age_unknown", message, fmt.ages.sources)]
