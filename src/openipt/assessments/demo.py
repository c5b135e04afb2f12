"""Demo PHQ-9 and GAD-7 series for the demo courses: made-up people, realistic shapes.

Courses are found by their client's record number (DEMO-0001 ... DEMO-0005), made by
`openipt.courses.demo`. A course that already has scores is left alone, so this is
idempotent; without demo courses it does nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from openipt.assessments.models import Alert
from openipt.assessments.services import record_administration, resolve_alert
from openipt.courses.models import Course, Session
from openipt.measures import get_instrument

PHQ9_ORDER = ("2", "1", "4", "3", "6", "7", "5", "8")  # mood first: a plausible profile
GAD7_ORDER = ("1", "2", "3", "4", "6", "5", "7")


@dataclass(frozen=True)
class Plan:
    """Scores at successive attended sessions; item 9 answers by session number."""

    story: str
    phq9: tuple[int, ...]
    gad7: tuple[int, ...]
    item9: dict[int, int] = field(default_factory=dict)
    resolve: dict[int, tuple[str, str]] = field(default_factory=dict)


PLANS = {
    "DEMO-0001": Plan(
        "responder reaching remission",
        (18, 17, 15, 13, 11, 9, 8, 7, 6, 5, 4, 4, 3, 3, 3, 2),
        (14, 13, 12, 10, 9, 8, 7, 6, 6, 5, 4, 4, 3, 3, 3, 3),
    ),
    "DEMO-0002": Plan(
        "early thoughts of self-harm, assessed and safety-planned; then improving",
        (21, 20, 18, 16, 14, 12, 10, 9, 8, 7, 7, 6),
        (13, 13, 12, 11, 10, 9, 8, 8, 7, 6, 6, 5),
        item9={1: 2, 2: 1},
        resolve={
            1: (
                "safety_plan",
                "Risk assessed with the client in session: passive thoughts, no plan or intent. "
                "Safety plan written together; crisis numbers given; reviewed next session.",
            ),
            2: (
                "risk_assessed",
                "Thoughts less frequent; safety plan reviewed and still in use. No intent.",
            ),
        },
    ),
    "DEMO-0003": Plan(
        "non-responder: scores flat past the middle of the course",
        (16, 17, 16, 15, 17, 16, 16, 15, 16, 17, 16, 16),
        (11, 12, 11, 12, 12, 11, 12, 12, 11, 12, 12, 11),
    ),
    "DEMO-0004": Plan(
        "a new positive answer on item 9 at the latest session (open alert)",
        (15, 14, 13, 13, 12, 13, 12, 12),
        (10, 10, 9, 9, 9, 8, 8, 8),
        item9={99: 1},  # 99: the latest scored session
    ),
    "DEMO-0005": Plan(
        "brief course, steady responder",
        (13, 11, 9, 7, 6, 5, 4, 3, 3),
        (9, 8, 7, 6, 5, 4, 4, 3, 3),
    ),
}


def spread(total: int, order: tuple[str, ...], fixed: dict[str, int]) -> dict[str, int]:
    """Return item answers (0-3) with this total, filling items in `order` one point at a time."""
    answers = {item: 0 for item in order} | fixed
    rest = total - sum(fixed.values())
    while rest > 0:
        open_items = [item for item in order if answers[item] < 3]
        if not open_items:
            raise ValueError(f"total {total} is too high")
        for item in open_items:
            if rest == 0:
                break
            answers[item] += 1
            rest -= 1
    return answers


def extend_demo(summary: Any) -> None:
    """Add PHQ-9 and GAD-7 series to the demo courses that have none yet."""
    done = 0
    for number, plan in PLANS.items():
        course = (
            Course.objects.filter(client__record_number=number)
            .exclude(format="maintenance")
            .select_related("therapist", "client")
            .order_by("started_on", "id")
            .first()
        )
        if course is None or course.administrations.exists():
            continue
        _score_course(course, plan)
        done += 1
    if done and hasattr(summary, "notes"):
        summary.notes.append(f"assessments: PHQ-9 and GAD-7 series for {done} demo courses")


def _score_course(course: Course, plan: Plan) -> None:
    sessions = list(course.sessions.filter(attendance="attended").order_by("number"))
    slots: list[tuple[Session | None, datetime.date]] = [(s, s.date) for s in sessions]
    slots = slots[: len(plan.phq9)] or [(None, course.started_on)]
    phq9, gad7 = get_instrument("phq9"), get_instrument("gad7")
    for index, (session, day) in enumerate(slots, start=1):
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
        last = index == len(slots)
        item9 = plan.item9.get(index, plan.item9.get(99, 0) if last else 0)
        total = plan.phq9[index - 1]
        answers = spread(total - item9, PHQ9_ORDER, {}) | {"9": item9}
        done = record_administration(
            course.therapist, course, phq9, answers, session=session, completed_at=when
        )
        for alert in done.alerts:
            Alert.objects.filter(pk=alert.pk).update(raised_at=when)
            if index in plan.resolve:
                alert.refresh_from_db()
                action, note = plan.resolve[index]
                resolve_alert(course.therapist, alert, action, note)
                later = when + datetime.timedelta(minutes=40)
                Alert.objects.filter(pk=alert.pk).update(resolved_at=later)
        record_administration(
            course.therapist,
            course,
            gad7,
            spread(plan.gad7[index - 1], GAD7_ORDER, {}),
            session=session,
            completed_at=when + datetime.timedelta(minutes=5),
        )
