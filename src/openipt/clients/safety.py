"""The client's safety plan: the Stanley-Brown sections, kept as versions, never overwritten.

A risk answer asks the clinician to act, and "safety plan made or reviewed" is one of the
recorded actions; this is the plan that action refers to. It belongs to the client, not to a
course, so it carries over from an acute course to the maintenance course after it. Every
save is a new version (who, when); the latest is the plan in use, and the client sees it in
the portal once it is shared with them. Sections after Stanley & Brown (2012), Safety
Planning Intervention, Cognitive and Behavioral Practice 19(2):256-264.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.clients.models import Client, SafetyPlan
from openipt.core.errors import Problems

SECTIONS = tuple(SafetyPlan.SECTIONS)
SECTION_MAX = 2000


def current_plan(client: Client) -> SafetyPlan | None:
    """Return the plan in use: the latest version, or None before the first."""
    return client.safety_plans.order_by("-version").first()


def shared_plan(client: Client) -> SafetyPlan | None:
    """Return the latest version shared with the client, for the portal."""
    return client.safety_plans.filter(shared_with_client=True).order_by("-version").first()


@transaction.atomic
def save_plan(
    actor: Any, client: Client, *, shared_with_client: bool, **sections: Any
) -> SafetyPlan:
    """Save the plan as a new version; refuse an empty plan and unknown sections.

    Saving the same words again makes no new version (only the sharing may change).
    """
    policy.check_write_client(actor, client)
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValidationError(f"Unknown sections: {', '.join(sorted(unknown))}.")
    problems = Problems()
    texts: dict[str, str] = {}
    for name in SECTIONS:
        with problems.check():
            texts[name] = _clean(name, sections.get(name, ""))
    problems.raise_any()
    if not any(texts.values()):
        raise ValidationError({SECTIONS[0]: "Write at least one section of the plan."})
    locked = Client.objects.select_for_update().get(pk=client.pk)
    latest = current_plan(locked)
    if latest is not None and all(getattr(latest, n) == t for n, t in texts.items()):
        if latest.shared_with_client != shared_with_client:
            latest.shared_with_client = shared_with_client
            latest.save(update_fields=["shared_with_client"])
        return latest
    plan = SafetyPlan(
        client=locked,
        version=(latest.version + 1) if latest else 1,
        made_by=actor,
        made_at=timezone.now(),
        shared_with_client=shared_with_client,
        **texts,
    )
    plan.full_clean(exclude=["client", "made_by"])
    plan.save()
    return plan


def _clean(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError({name: "Write this section as text."})
    text = value.strip()
    if len(text) > SECTION_MAX:
        raise ValidationError({name: f"Keep each section under {SECTION_MAX} characters."})
    return text
