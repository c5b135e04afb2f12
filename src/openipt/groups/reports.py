"""Read a group's or a programme's members into outcome facts, in a fixed number of queries."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from openipt import policy
from openipt.assessments.models import Administration
from openipt.groups.models import Group, GroupMembership, GroupSession, ProgrammeCost
from openipt.groups.outcomes import Cost, MemberFacts, Outcomes, cost, summarise

# No cutoff for a group still running: every score so far counts.
NO_END = datetime.date(9999, 12, 31)


def _end_scores() -> QuerySet[Administration]:
    """Return the member's PHQ-9s up to the group's end: a follow-up after it is not the
    end-of-group score (it would otherwise replace it in the outcomes)."""
    cutoff = Coalesce(OuterRef("group__ended_on"), Value(NO_END), output_field=DateField())
    return Administration.objects.filter(
        course=OuterRef("course_id"), instrument="phq9", completed_at__date__lte=cutoff
    ).order_by()


def member_rows(memberships: QuerySet[GroupMembership]) -> QuerySet[GroupMembership]:
    """Annotate memberships with sessions present, sessions held, how many PHQ-9s they had
    by the group's end and the last of them."""
    scores = _end_scores()
    count = scores.values("course").annotate(n=Count("pk")).values("n")
    last = scores.order_by("-completed_at", "-pk").values("total")[:1]
    return memberships.annotate(
        present=Count("attendance", filter=Q(attendance__status="present"), distinct=True),
        held=Count("attendance", distinct=True),
        phq9_n=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        phq9_end=Subquery(last, output_field=IntegerField()),
    ).select_related("course", "client")


def facts_of(rows: Any) -> list[MemberFacts]:
    """Return the outcome facts of annotated memberships; one PHQ-9 gives no end score."""
    return [
        MemberFacts(
            member_id=m.pk,
            attended=m.present,
            rows=m.held,
            left=m.left_on is not None,
            baseline=m.course.phq9_first,
            end=m.phq9_end if m.phq9_n >= 2 else None,
        )
        for m in rows
    ]


def group_outcomes(group: Group) -> tuple[Outcomes, list[GroupMembership]]:
    """Return the group's outcomes and its annotated members, in one query."""
    rows = list(member_rows(group.memberships.shown()).order_by("pk"))
    return summarise(facts_of(rows)), rows


def programme_outcomes(user: Any, programme: str) -> Outcomes:
    """Return the outcomes over every group of a programme this user may see."""
    members = policy.visible_members(user, GroupMembership.objects.all())
    return summarise(facts_of(member_rows(members.filter(group__programme=programme))))


def group_cost(group: Group, outcomes: Outcomes) -> Cost | None:
    """Return the group's cost per member treated, or None when the service set no inputs."""
    inputs = ProgrammeCost.objects.filter(programme=group.programme).first()
    if inputs is None:
        return None
    minutes = GroupSession.objects.filter(group=group).values_list("minutes", flat=True)
    return cost(
        list(minutes),
        group.facilitators.count(),
        inputs.hourly_cost,
        inputs.other_cost_per_group,
        outcomes.reached,
        outcomes.completed,
        inputs.currency,
    )


def facilitator_summary(user: Any) -> list[dict[str, Any]]:
    """Return, per facilitator of the groups this supervisor sees, their groups' figures."""
    groups = (
        Group.objects.visible_to(user)
        .annotate(
            members=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            ),
            held=Count("sessions", distinct=True),
            unreviewed=Count(
                "sessions", filter=Q(sessions__reviewed_at__isnull=True), distinct=True
            ),
            open_alerts=Count(
                "memberships__course__alerts",
                filter=Q(memberships__course__alerts__status="open"),
                distinct=True,
            ),
            # Scored again since joining, and no lower than at screening.
            not_improving=Count(
                "memberships",
                filter=Q(
                    memberships__left_on__isnull=True,
                    memberships__course__latest_score_at__date__gt=F("memberships__joined_on"),
                    memberships__course__phq9_last__gte=F("memberships__course__phq9_first"),
                ),
                distinct=True,
            ),
        )
        .prefetch_related("facilitators")
        .order_by("name")
    )
    by_person: dict[int, dict[str, Any]] = {}
    for group in groups:
        for person in group.facilitators.all():
            entry = by_person.setdefault(person.pk, {"facilitator": person, "groups": []})
            entry["groups"].append(group)
    return sorted(by_person.values(), key=lambda e: str(e["facilitator"]))
