"""The caseload: active courses sorted by what needs attention, with what is due in each.

The ordering is computed in the database (so pages paginate), from the summary columns and
the protocol's ending threshold per format; what is due comes from the pure agenda. Each
row's cells are kept until its course changes (`openipt.core.kept`): a page of 25 rows
whose courses did not change costs one query and two cache reads, not 25 agendas.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from openipt.assessments.overdue import is_overdue
from openipt.core import kept
from openipt.courses.models import Course, Focus
from openipt.courses.services import current_phase, next_agenda
from openipt.protocol.formats import Phase, all_formats, raise_ending_threshold
from openipt.protocol.plan import Agenda

# Reminders that say what matters most in a session, most urgent first.
HEADLINE_CODES = (
    "beyond_contract",
    "raise_ending",
    "contract_missing",
    "focus_missing",
    "dispute_stage_missing",
    "measure_missed",
    "measure_due",
)


def _threshold() -> Case:
    """Return the per-format "raise the ending" threshold as a SQL expression [S33]."""
    whens = [When(format=f.code, then=Value(raise_ending_threshold(f))) for f in all_formats()]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def caseload(user) -> QuerySet[Course]:
    """Return the active courses the user may see, most in need of attention first."""
    contracted = Q(contract_agreed_on__isnull=False)
    return (
        Course.objects.visible_to(user)
        .active()
        .select_related("client", "therapist")
        .annotate(
            remaining=F("planned_sessions") - F("sessions_attended"),
            attention=Case(
                When(open_alerts__gt=0, then=Value(0)),
                When(not_on_track=True, then=Value(1)),
                When(contracted & Q(remaining__lte=0), then=Value(2)),
                When(contracted & Q(remaining__lte=_threshold()), then=Value(3)),
                When(Q(measure_due=True) | Q(measure_missed=True), then=Value(4)),
                When(contract_agreed_on__isnull=True, then=Value(5)),
                default=Value(9),
                output_field=IntegerField(),
            ),
        )
        .order_by(
            "attention",
            "-open_alerts",
            F("last_session_on").asc(nulls_first=True),
            "client__name",
            "id",
        )
    )


@dataclass(frozen=True)
class Row:
    """One caseload line: the course, its next agenda and what to say about it."""

    course: Course
    agenda: Agenda
    phase: Phase
    headline: str
    urgent: bool
    remaining: int | None
    overdue: bool = False  # the supervisor's "Measures overdue" counts the same courses

    @property
    def ending_due(self) -> bool:
        return any(r.code in ("raise_ending", "beyond_contract") for r in self.agenda.reminders)


def headline(plan: Agenda, done: frozenset[str] = frozenset()) -> tuple[str, bool]:
    """Return what is due next in one line, and whether it is a reminder to act on."""
    by_code = {r.code: r.message for r in plan.reminders}
    if "raise_the_ending" in done:
        by_code.pop("raise_ending", None)  # already raised: say what else is due
    for code in HEADLINE_CODES:
        if code in by_code:
            return by_code[code], True
    for task in plan.tasks:
        if not task.overdue and task.required:
            return task.label, False
    return (plan.tasks[0].label, False) if plan.tasks else ("Nothing due", False)


def rows(courses) -> list[Row]:
    """Return caseload rows for courses (two queries for all of them)."""
    courses = list(courses)
    prefetch_related_objects(
        courses,
        Prefetch("foci", queryset=Focus.objects.filter(replaced_at__isnull=True)),
        "task_completions",
    )
    result = []
    for course in courses:
        plan = next_agenda(course)
        done = frozenset(t.task_id for t in course.task_completions.all())
        text, urgent = headline(plan, done)
        overdue = is_overdue(course, timezone.localdate())
        result.append(
            Row(
                course,
                plan,
                current_phase(course),
                text,
                urgent,
                course.sessions_remaining,
                overdue,
            )
        )
    return result


def kept_cells(request: HttpRequest, courses: list[Course]) -> dict[int, SafeString]:
    """Return each course's row cells (all but the client and therapist), kept per course."""
    today, language = timezone.localdate(), translation.get_language()
    items = {c.pk: ([kept.course_scope(c.pk)], (c.pk, today, language)) for c in courses}
    by_id = {c.pk: c for c in courses}

    def make(missing: list[int]) -> dict[int, str]:
        made = rows([by_id[pk] for pk in missing])
        return {
            row.course.pk: render_to_string("courses/_caseload_cells.html", {"row": row}, request)
            for row in made
        }

    cells = kept.get_many_or_make("caseload-cells", items, make)
    return {pk: mark_safe(html) for pk, html in cells.items()}  # noqa: S308 - our template's output
