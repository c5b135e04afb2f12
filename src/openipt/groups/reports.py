"""Read a group's or a programme's members into outcome facts, in a fixed number of queries."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from openipt import policy
from openipt.assessments.models import Administration
from openipt.groups.models import Group, GroupMembership, GroupSession, ProgrammeCost
from openipt.groups.outcomes import (
    Cost,
    FollowUpWindow,
    MemberFacts,
    Outcomes,
    cost,
    follow_up_windows,
    summarise,
)
from openipt.protocol.groups import get_programme

# No cutoff for a group still running: every score so far counts.
NO_END = datetime.date(9999, 12, 31)


def _end_scores() -> QuerySet[Administration]:
    """Return the member's PHQ-9s up to the group's end: a follow-up after it is not the
    end-of-group score (it would otherwise replace it in the outcomes)."""
    cutoff = Coalesce(OuterRef("group__ended_on"), Value(NO_END), output_field=DateField())
    return Administration.objects.filter(
        course=OuterRef("course_id"), instrument="phq9", completed_at__date__lte=cutoff
    ).order_by()


def _after_end(days: int) -> ExpressionWrapper:
    """The day `days` after the member's group ended (DateField + interval, on every backend)."""
    return ExpressionWrapper(
        OuterRef("group__ended_on") + datetime.timedelta(days=days), output_field=DateField()
    )


def _follow_up_score(window: FollowUpWindow) -> Subquery:
    """The member's last PHQ-9 in a follow-up point's window (none while the group runs)."""
    scores = Administration.objects.filter(
        course=OuterRef("course_id"),
        instrument="phq9",
        completed_at__date__gte=_after_end(window.first),
        completed_at__date__lte=_after_end(window.last),
    )
    last = scores.order_by("-completed_at", "-pk").values("total")[:1]
    return Subquery(last, output_field=IntegerField())


def follow_up_field(window: FollowUpWindow) -> str:
    return f"phq9_follow_up_{window.months}"


def member_rows(
    memberships: QuerySet[GroupMembership], windows: tuple[FollowUpWindow, ...] = ()
) -> QuerySet[GroupMembership]:
    """Annotate memberships with sessions present, sessions held, how many PHQ-9s they had
    by the group's end and the last of them, and the last in each follow-up window: all in
    the one query."""
    scores = _end_scores()
    count = scores.values("course").annotate(n=Count("pk")).values("n")
    last = scores.order_by("-completed_at", "-pk").values("total")[:1]
    follow_ups = {follow_up_field(w): _follow_up_score(w) for w in windows}
    return memberships.annotate(
        present=Count("attendance", filter=Q(attendance__status="present"), distinct=True),
        held=Count("attendance", distinct=True),
        phq9_n=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        phq9_end=Subquery(last, output_field=IntegerField()),
        **follow_ups,
    ).select_related("course", "client", "group")


def facts_of(rows: Any, windows: tuple[FollowUpWindow, ...] = ()) -> list[MemberFacts]:
    """Return the outcome facts of annotated memberships; one PHQ-9 gives no end score."""
    today = timezone.localdate()
    facts = []
    for m in rows:
        ended = m.group.ended_on if m.group.status == Group.Status.ENDED else None
        scores = {w.months: getattr(m, follow_up_field(w)) for w in windows}
        facts.append(
            MemberFacts(
                member_id=m.pk,
                attended=m.present,
                rows=m.held,
                left=m.left_on is not None,
                baseline=m.course.phq9_first,
                end=m.phq9_end if m.phq9_n >= 2 else None,
                days_since_end=(today - ended).days if ended else None,
                follow_ups={k: v for k, v in scores.items() if v is not None},
            )
        )
    return facts


def windows_of(programme: str) -> tuple[FollowUpWindow, ...]:
    """Return the follow-up windows of a programme's scheduled points (none: no follow-up)."""
    return follow_up_windows(get_programme(programme).follow_up_months)


def group_outcomes(group: Group) -> tuple[Outcomes, list[GroupMembership]]:
    """Return the group's outcomes (follow-ups included) and its annotated members, in one
    query."""
    windows = windows_of(group.programme)
    rows = list(member_rows(group.memberships.shown(), windows).order_by("pk"))
    months = [w.months for w in windows]
    return summarise(facts_of(rows, windows), months), rows


def programme_outcomes(user: Any, programme: str) -> Outcomes:
    """Return the outcomes over every group of a programme this user may see."""
    windows = windows_of(programme)
    members = policy.visible_members(user, GroupMembership.objects.all())
    rows = member_rows(members.filter(group__programme=programme), windows)
    return summarise(facts_of(rows, windows), [w.months for w in windows])


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
