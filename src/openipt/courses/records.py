"""The course's clinical records: focus, goals, phase tasks, sick role and medication.

Re-exported by `openipt.courses.services`; call them from there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from openipt.core.errors import Problems
from openipt.courses.checks import (
    check_active,
    check_choice,
    check_not_before_start,
    check_past,
    check_writer,
    clean_text,
    lock,
    protocol_errors,
    today,
)
from openipt.courses.models import (
    Course,
    Focus,
    Goal,
    MedicationEvaluation,
    ProblemArea,
    Session,
    SickRole,
    TaskCompletion,
)
from openipt.protocol.formats import get_format
from openipt.protocol.phases import get_task
from openipt.protocol.problem_areas import AreaCode, area_label
from openipt.protocol.rules import FocusChoice, Notice, check_focus

MAX_GOALS = 10  # a product limit that keeps the list something a client can hold in mind


def current_foci_prefetch() -> Prefetch:
    """Return the prefetch of the focus in force, the one `current_foci` reads."""
    return Prefetch("foci", queryset=Focus.objects.filter(replaced_at__isnull=True))


def current_foci(course: Course) -> list[Focus]:
    """Return the focus areas in force, in order (uses a prefetch of `foci` when present)."""
    foci = [f for f in course.foci.all() if f.replaced_at is None]
    return sorted(foci, key=lambda f: (f.position, f.pk))


@dataclass(frozen=True)
class FocusChange:
    """The focus in force, whether it changed, and the notes to show (e.g. prognosis)."""

    foci: list[Focus]
    changed: bool
    notices: tuple[Notice, ...] = ()


def _choice(item: Mapping) -> FocusChoice:
    area = item.get("area")
    if area not in ProblemArea.values:
        known = ", ".join(ProblemArea.values)
        raise ValidationError({"areas": f"Choose a problem area ({known}), not {area!r}."})
    if area_label(area, settings.OPENIPT_PROBLEM_AREA_NAMING) is None:
        raise ValidationError(
            {"areas": f"The naming model this service uses has no area '{area}'."},
            code="area_not_in_model",
        )
    stage = item.get("dispute_stage") or None
    confirmed = item.get("deficits_confirmed", False)
    if not isinstance(confirmed, bool):
        raise ValidationError({"deficits_confirmed": "Answer yes or no."})
    return FocusChoice(
        area=area,
        dispute_stage=stage if area == AreaCode.ROLE_DISPUTE else None,
        reason=clean_text(item.get("reason", ""), "reason"),
        deficits_confirmed=confirmed and area == AreaCode.INTERPERSONAL_DEFICITS,
    )


@transaction.atomic
def set_focus(actor, course: Course, areas: Sequence[Mapping]) -> FocusChange:
    """Choose the problem area(s); a replaced focus keeps its row as history [S1], [S132]."""
    check_writer(actor, course)
    locked = lock(course)
    check_active(locked)
    choices = [_choice(item) for item in areas]
    with protocol_errors():
        notices = check_focus(choices)
    current = current_foci(locked)
    wanted = [(c.area, c.dispute_stage or "", c.reason, c.deficits_confirmed) for c in choices]
    held = [(f.area, f.dispute_stage, f.reason, f.deficits_confirmed) for f in current]
    if wanted == held:
        return FocusChange(current, changed=False, notices=tuple(notices))
    locked.foci.filter(replaced_at__isnull=True).update(replaced_at=timezone.now())
    foci = [
        Focus.objects.create(
            course=locked,
            area=area,
            dispute_stage=stage,
            reason=reason,
            deficits_confirmed=confirmed,
            position=position,
            chosen_on=today(),
            recorded_by=actor,
        )
        for position, (area, stage, reason, confirmed) in enumerate(wanted, start=1)
    ]
    locked.primary_area = foci[0].area
    locked.save(update_fields=["primary_area", "updated_at"])
    _mark_done(actor, locked, "choose_problem_area")
    return FocusChange(foci, changed=True, notices=tuple(notices))


def _goal_fields(item: Mapping, n: int) -> dict:
    text = clean_text(item.get("text", ""), "goals", max_length=500)
    if not text:
        raise ValidationError({"goals": f"Goal {n}: write the goal in the client's words."})
    status = item.get("status") or Goal.Status.OPEN
    if status not in Goal.Status.values:
        options = ", ".join(Goal.Status.values)
        raise ValidationError({"goals": f"Goal {n}: status must be one of {options}."})
    after = item.get("after_treatment", False)
    if not isinstance(after, bool):
        raise ValidationError({"goals": f"Goal {n}: say yes or no for after treatment."})
    return {"text": text, "status": status, "after_treatment": after, "position": n}


@transaction.atomic
def set_goals(actor, course: Course, goals: Sequence[Mapping]) -> list[Goal]:
    """Replace the course's goals with this list, keeping the rows whose ids are given."""
    check_writer(actor, course)
    locked = lock(course)
    check_active(locked)
    if len(goals) > MAX_GOALS:
        raise ValidationError({"goals": f"Keep to {MAX_GOALS} goals at most."})
    existing = {g.pk: g for g in locked.goals.all()}
    ids = [item.get("id") for item in goals if item.get("id") is not None]
    if len(ids) != len(set(ids)) or any(i not in existing for i in ids):
        raise ValidationError({"goals": "A goal id is repeated or belongs to another course."})
    problems = Problems()
    checked: list[Goal] = []
    for n, item in enumerate(goals, start=1):
        with problems.check():
            fields = _goal_fields(item, n)
            goal = existing.get(item.get("id")) or Goal(course=locked)  # type: ignore[arg-type]
            for name, value in fields.items():
                setattr(goal, name, value)
            goal.full_clean()
            checked.append(goal)
    problems.raise_any()  # every goal's problem at once, before any goal is saved
    kept: list[Goal] = []
    for goal in checked:
        goal.save()
        kept.append(goal)
    locked.goals.exclude(pk__in=[g.pk for g in kept]).delete()
    complete_contract_task(actor, locked)
    if any(g.after_treatment for g in kept):
        _mark_done(actor, locked, "goals_after_treatment")
    return kept


def _task_for(course: Course, task_id: str):
    with protocol_errors("task_id"):
        task = get_task(task_id)
    fmt = get_format(course.format)
    if not task.applies_to(fmt):
        raise ValidationError({"task_id": f"'{task_id}' is not a task of {fmt.name}."})
    if task.recurring:
        raise ValidationError(
            {"task_id": f"'{task.label}' belongs to every session of its phase; it is not ticked."}
        )
    return task


@transaction.atomic
def complete_task(
    actor,
    course: Course,
    task_id: str,
    *,
    session: Session | None = None,
    note: str = "",
    on: date | None = None,
) -> TaskCompletion:
    """Mark a phase task done (idempotent): the agenda stops listing it."""
    check_writer(actor, course)
    check_active(course)
    _task_for(course, task_id)
    on = on or today()
    check_past(on, "completed_on", "The date")
    completion, _ = TaskCompletion.objects.get_or_create(
        course=course,
        task_id=task_id,
        defaults={
            "session": session,
            "note": clean_text(note, "note"),
            "completed_on": on,
            "recorded_by": actor,
        },
    )
    return completion


def tick_tasks(
    actor, course: Course, task_ids: Sequence[str], *, session: Session, on: date
) -> None:
    """Tick the tasks done in a session, as `complete_task` would each, in fewer queries.

    The course's completions are read once (a prefetch of `task_completions` when present):
    a task already ticked costs nothing, a new one its insert.
    """
    check_writer(actor, course)
    check_active(course)
    done = {completion.task_id for completion in course.task_completions.all()}
    for task_id in dict.fromkeys(task_ids):
        _task_for(course, task_id)
        check_past(on, "completed_on", "The date")
        if task_id in done:
            continue
        try:
            with transaction.atomic():
                TaskCompletion.objects.create(
                    course=course,
                    task_id=task_id,
                    session=session,
                    completed_on=on,
                    recorded_by=actor,
                )
        except IntegrityError:
            pass  # ticked a moment ago, from the checklist in another tab


@transaction.atomic
def uncomplete_task(actor, course: Course, task_id: str) -> None:
    """Mark a phase task not done again, so it returns to the agenda."""
    check_writer(actor, course)
    check_active(course)
    _task_for(course, task_id)
    TaskCompletion.objects.filter(course=course, task_id=task_id).delete()


def _mark_done(actor, course: Course, task_id: str) -> None:
    """Tick a task the record itself shows as done; never untick what the therapist ticked."""
    if get_task(task_id).applies_to(get_format(course.format)):
        TaskCompletion.objects.get_or_create(
            course=course,
            task_id=task_id,
            defaults={"completed_on": today(), "recorded_by": actor},
        )


def complete_contract_task(actor, course: Course) -> None:
    """Tick "contract and goals" once both a contract and a goal exist [S133], [S33]."""
    if course.contract_agreed_on is not None and course.goals.exists():
        _mark_done(actor, course, "contract_and_goals")


DIAGNOSIS_SYSTEMS = ("", "icd10", "icd11", "snomed")  # measures.md §16


@transaction.atomic
def record_sick_role(
    actor,
    course: Course,
    *,
    diagnosis_label: str,
    diagnosis_code: str = "",
    diagnosis_system: str = "",
    explained_on: date | None = None,
    note: str = "",
) -> SickRole:
    """Record the diagnosis named and the sick role given (limited in IPT-A) [S2], [S18]."""
    check_writer(actor, course)
    locked = lock(course)
    check_active(locked)
    label = clean_text(diagnosis_label, "diagnosis_label", max_length=200)
    if not label:
        raise ValidationError({"diagnosis_label": "Name the diagnosis given to the client."})
    if diagnosis_system not in DIAGNOSIS_SYSTEMS:
        raise ValidationError({"diagnosis_system": "Choose ICD-10, ICD-11 or SNOMED CT."})
    explained_on = explained_on or today()
    check_past(explained_on, "explained_on", "The date")
    check_not_before_start(locked, explained_on, "explained_on", "The date")
    record, _ = SickRole.objects.update_or_create(
        course=locked,
        defaults={
            "diagnosis_label": label,
            "diagnosis_code": clean_text(diagnosis_code, "diagnosis_code", max_length=16),
            "diagnosis_system": diagnosis_system,
            "limited": get_format(locked.format).sick_role == "limited",
            "explained_on": explained_on,
            "note": clean_text(note, "note"),
        },
    )
    _mark_done(actor, locked, "sick_role")
    return record


@transaction.atomic
def record_medication_evaluation(
    actor,
    course: Course,
    *,
    decision: str,
    severity: str = "",
    past_history: str = "",
    prior_response: str = "",
    preference: str = "",
    note: str = "",
    evaluated_on: date | None = None,
) -> MedicationEvaluation:
    """Record the medication evaluation: severity, history, response, preference [S3]."""
    check_writer(actor, course)
    locked = lock(course)
    check_active(locked)
    decision = check_choice(decision, MedicationEvaluation.Decision, "decision", "The decision")
    evaluated_on = evaluated_on or today()
    check_past(evaluated_on, "evaluated_on", "The date")
    check_not_before_start(locked, evaluated_on, "evaluated_on", "The date")
    evaluation = MedicationEvaluation.objects.create(
        course=locked,
        evaluated_on=evaluated_on,
        severity=clean_text(severity, "severity"),
        past_history=clean_text(past_history, "past_history"),
        prior_response=clean_text(prior_response, "prior_response"),
        preference=clean_text(preference, "preference"),
        decision=decision,
        note=clean_text(note, "note"),
    )
    _mark_done(actor, locked, "medication_evaluation")
    return evaluation


def mark_done(actor, course: Course, task_ids: Sequence[str]) -> None:
    """Tick the given tasks that apply to the course (used by the termination review)."""
    for task_id in task_ids:
        _mark_done(actor, course, task_id)


__all__ = [
    "DIAGNOSIS_SYSTEMS",
    "MAX_GOALS",
    "FocusChange",
    "complete_task",
    "current_foci",
    "mark_done",
    "record_medication_evaluation",
    "record_sick_role",
    "set_focus",
    "set_goals",
    "tick_tasks",
    "uncomplete_task",
]
