"""The intake checks of a format: IPT-A's exclusions [S15] and its age range [S15]."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError

from openipt.courses.checks import today
from openipt.courses.models import Format as CourseFormat
from openipt.protocol.formats import Format
from openipt.protocol.rules import Notice

ADOLESCENT_AGES = (12, 18)  # IPT-A is for ages 12-18 [S15]


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


def intake_notices(client, format_code: str) -> list[Notice]:
    """Return warnings to show when opening a course, such as IPT-A's age range [S15]."""
    if format_code != CourseFormat.ADOLESCENT or client.date_of_birth is None:
        return []
    born, now = client.date_of_birth, today()
    age = now.year - born.year - ((now.month, now.day) < (born.month, born.day))
    low, high = ADOLESCENT_AGES
    if low <= age <= high:
        return []
    message = f"IPT-A is for young people aged {low} to {high}; {client.name} is {age}."
    return [Notice("adolescent_age", message, ("S15",))]
