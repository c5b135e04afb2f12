"""The termination review, the relapse-prevention plan and the decision that ends a course.

Acute IPT ends with a recorded decision [S5], [S34], [S35]; a maintenance or continuation
contract opens the course that follows. Re-exported by `openipt.courses.services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from openipt.assessments.models import Alert
from openipt.assessments.summary import refresh_course_summary
from openipt.core.errors import Problems
from openipt.courses import records
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
from openipt.courses.models import Contract, Course, Focus, Goal, RelapsePlan, TerminationReview
from openipt.interpersonal.models import LifeEvent, Person
from openipt.protocol.formats import get_format
from openipt.protocol.phases import tasks_for
from openipt.protocol.rules import AcuteEndDecision, Notice, check_acute_end, check_contract

REVIEW_TEXT = (
    "why_better",
    "achieved",
    "not_achieved",
    "feelings_about_ending",
    "anticipated_problems",
)
PLAN_TEXT = ("warning_signs", "what_helps", "people_to_tell", "whom_to_contact")
FIELDS = (*REVIEW_TEXT, *PLAN_TEXT, "ending_raised_on", "response", "maintenance_discussed")

# Tasks that a filled-in review shows as done; the therapist can still tick the rest.
TASK_EVIDENCE = {
    "raise_the_ending": lambda r, p: r.ending_raised_on is not None,
    "why_feeling_better": lambda r, p: bool(r.why_better),
    "review_achieved_and_not": lambda r, p: bool(r.achieved or r.not_achieved),
    "feelings_about_ending": lambda r, p: bool(r.feelings_about_ending),
    "warning_signs_relapse_plan": lambda r, p: bool(p.warning_signs and p.what_helps),
    "anticipate_problems": lambda r, p: bool(r.anticipated_problems),
    "maintenance_decision": lambda r, p: r.maintenance_discussed,
}


def sessions_for_months(frequency: str, months: int) -> int:
    """Return the sessions in `months` at `frequency` (a calendar count, not a sourced fact)."""
    per_year = {"weekly": 52, "fortnightly": 26, "monthly": 12}[frequency]
    return max(1, round(months * per_year / 12))


@dataclass(frozen=True)
class Ending:
    """What the termination review recorded, and the course that follows, if any."""

    course: Course
    review: TerminationReview
    plan: RelapsePlan
    ended: bool
    follow_on: Course | None = None
    notices: tuple[Notice, ...] = ()


def _apply(review: TerminationReview, plan: RelapsePlan, fields: dict) -> None:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    for name in REVIEW_TEXT:
        if name in fields:
            setattr(review, name, clean_text(fields[name], name))
    for name in PLAN_TEXT:
        if name in fields:
            setattr(plan, name, clean_text(fields[name], name))
    if "response" in fields:
        response = fields["response"] or ""
        if response:
            check_choice(response, TerminationReview.Response, "response", "The response")
        review.response = response
    if "maintenance_discussed" in fields:
        if not isinstance(fields["maintenance_discussed"], bool):
            raise ValidationError({"maintenance_discussed": "Answer yes or no."})
        review.maintenance_discussed = fields["maintenance_discussed"]
    if "ending_raised_on" in fields:
        raised = fields["ending_raised_on"]
        check_past(raised, "ending_raised_on", "The date the ending was raised")
        check_not_before_start(review.course, raised, "ending_raised_on", "That date")
        review.ending_raised_on = raised


@transaction.atomic
def record_termination(
    actor,
    course: Course,
    *,
    decision: str = "",
    detail: str = "",
    maintenance_frequency: str = "",
    maintenance_months: int | None = None,
    continuation_sessions: int | None = None,
    ended_on: date | None = None,
    **fields,
) -> Ending:
    """Save the termination review and relapse plan; with a decision, end the course."""
    check_writer(actor, course)
    locked = lock(course)
    check_active(locked)
    review = TerminationReview.objects.filter(course=locked).first() or TerminationReview(
        course=locked
    )
    plan = RelapsePlan.objects.filter(course=locked).first() or RelapsePlan(course=locked)
    _apply(review, plan, fields)
    review.reviewed_on, review.recorded_by = today(), actor
    detail = clean_text(detail, "detail")
    notices: tuple[Notice, ...] = ()
    follow_on = None
    if decision:
        terms = (maintenance_frequency, maintenance_months, continuation_sessions)
        notices, follow_on = _end(actor, locked, review, plan, decision, detail, terms, ended_on)
    review.full_clean()
    review.save()
    plan.full_clean()
    plan.save()
    if follow_on is not None:
        _carry_plan(plan, follow_on)
    evidence = [task for task, shows in TASK_EVIDENCE.items() if shows(review, plan)]
    records.mark_done(actor, locked, evidence)
    return Ending(locked, review, plan, bool(decision), follow_on, notices)


def _end(
    actor,
    course: Course,
    review: TerminationReview,
    plan: RelapsePlan,
    decision: str,
    detail: str,
    terms: tuple[str, int | None, int | None],
    ended_on: date | None,
) -> tuple[tuple[Notice, ...], Course | None]:
    """Check the decision, end the course and open what follows it [S5], [S34], [S35]."""
    frequency, months, sessions = terms
    with protocol_errors():
        notices = check_acute_end(
            decision,
            relapse_plan=bool(plan.warning_signs and plan.what_helps),
            maintenance_frequency=frequency or None,
            maintenance_months=months,
            continuation_sessions=sessions,
            detail=detail,
            maintenance_discussed=review.maintenance_discussed,
        )
    end = _end_date(course, ended_on)
    check_alerts_handed_over(course, AcuteEndDecision(decision))
    follow_on = _follow_on(actor, course, AcuteEndDecision(decision), end, terms)
    course.status, course.ended_on = Course.Status.ENDED, end
    course.end_decision, course.end_decision_detail = decision, detail
    course.save()
    return tuple(notices), follow_on


FOLLOW_ONS = (AcuteEndDecision.MAINTENANCE_CONTRACT, AcuteEndDecision.CONTINUATION_CONTRACT)


def check_alerts_handed_over(course: Course, decision: AcuteEndDecision | None) -> None:
    """Refuse to end a course whose risk alert is still open, unless the client's care goes
    on in another course that shows it (a follow-on course, or another active one): an
    alert belongs to the client and must never end up on a closed record nobody opens."""
    if not Alert.objects.open().filter(course=course).exists() or decision in FOLLOW_ONS:
        return
    others = Course.objects.active().filter(client_id=course.client_id).exclude(pk=course.pk)
    if others.exists():
        return
    raise ValidationError(
        {
            "decision": "This course has an open risk alert. Record the action taken on it "
            "(Alerts) before ending the course, or agree a follow-on course that carries it on."
        },
        code="open_alert",
    )


CLOSINGS = {
    "dropped_out": Course.Status.DISCONTINUED,
    "opened_in_error": Course.Status.OPENED_IN_ERROR,
}


@transaction.atomic
def close_course(
    actor, course: Course, *, how: str, reason: str, ended_on: date | None = None
) -> Course:
    """End a course other than by the termination review: the client dropped out (counted
    as an ended course by the outcome rules), or it was opened in error (left out of every
    outcome). The reason is required and kept; an open alert must be actioned first."""
    check_writer(actor, course)
    locked = lock(course)
    check_active(locked)
    problems = Problems()
    with problems.check():
        if how not in CLOSINGS:
            raise ValidationError({"how": "Choose: the client dropped out, or opened in error."})
    with problems.check():
        reason = clean_text(reason, "reason", max_length=1000)
        if not reason:
            raise ValidationError({"reason": "Say why the course ends this way."})
    end = today()
    with problems.check():
        end = _end_date(locked, ended_on)
    with problems.check():
        check_alerts_handed_over(locked, None)
    problems.raise_any()
    locked.status, locked.ended_on = CLOSINGS[how], end
    locked.end_decision, locked.end_decision_detail = "", reason
    locked.save()
    refresh_course_summary(locked, force=True)
    return locked


def _end_date(course: Course, ended_on: date | None) -> date:
    ended_on = ended_on or today()
    check_past(ended_on, "ended_on", "The end date")
    check_not_before_start(course, ended_on, "ended_on", "The end date")
    if course.last_session_on and ended_on < course.last_session_on:
        raise ValidationError(
            {"ended_on": "The end date cannot be before the last session."}, code="before_last"
        )
    return ended_on


def _follow_on(
    actor,
    course: Course,
    decision: AcuteEndDecision,
    start: date,
    terms: tuple[str, int | None, int | None],
) -> Course | None:
    """Open the maintenance or continuation course that a contract decision agrees."""
    frequency, months, sessions = terms
    if decision is AcuteEndDecision.MAINTENANCE_CONTRACT:
        assert months is not None
        planned = sessions_for_months(frequency, months)
        with protocol_errors("maintenance_months"):
            check_contract(get_format("maintenance"), planned, frequency)
        return _open_follow_on(actor, course, "maintenance", planned, frequency, start, months)
    if decision is AcuteEndDecision.CONTINUATION_CONTRACT:
        assert sessions is not None
        fmt = get_format(course.format)
        frequency = course.frequency or fmt.default_frequency.value
        with protocol_errors("continuation_sessions"):
            check_contract(fmt, sessions, frequency)
        return _open_follow_on(actor, course, course.format, sessions, frequency, start, None)
    return None


def _open_follow_on(
    actor,
    course: Course,
    format_code: str,
    planned: int,
    frequency: str,
    start: date,
    months: int | None,
) -> Course:
    """Open the next course with its contract, carrying the focus and post-treatment goals."""
    nxt = Course.objects.create(
        client=course.client,
        therapist=course.therapist,
        follows=course,
        format=format_code,
        planned_sessions=planned,
        frequency=frequency,
        contract_agreed_on=start,
        maintenance_months=months,
        started_on=start,
        referrer=course.referrer,
        symptom_onset=course.symptom_onset,
        primary_area=course.primary_area,
    )
    Contract.objects.create(
        course=nxt,
        planned_sessions=planned,
        frequency=frequency,
        agreed_on=start,
        reason=f"Agreed at the end of course {course.pk}.",
        recorded_by=actor,
    )
    _carry_over(actor, course, nxt, start)
    return nxt


def _carry_over(actor, course: Course, nxt: Course, start: date) -> None:
    """Copy the focus, post-treatment goals, inventory and timeline as the next course's
    starting point; a continuation keeps the initial work done."""
    for focus in records.current_foci(course):
        Focus.objects.create(
            course=nxt,
            area=focus.area,
            dispute_stage=focus.dispute_stage,
            reason=focus.reason,
            deficits_confirmed=focus.deficits_confirmed,
            position=focus.position,
            chosen_on=start,
            recorded_by=actor,
        )
    goals = course.goals.filter(after_treatment=True).order_by("position", "id")
    Goal.objects.bulk_create(
        Goal(course=nxt, text=g.text, position=n) for n, g in enumerate(goals, start=1)
    )
    if nxt.format == course.format:
        done = {t.id for t in tasks_for("initial", get_format(course.format))}
        records.mark_done(actor, nxt, sorted(done & _done_ids(course)))
    _carry_inventory(course, nxt)


def _carry_inventory(course: Course, nxt: Course) -> None:
    """Copy the people of the inventory and the life events of the timeline, each event
    still pointing at its person."""
    people: dict[int, Person] = {}
    for person in Person.objects.filter(course=course).order_by("pk"):
        old = person.pk
        person.pk, person.course = None, nxt
        person._state.adding = True
        person.save()
        people[old] = person
    for event in LifeEvent.objects.filter(course=course).order_by("pk"):
        event.pk, event.course = None, nxt
        event.person = people.get(event.person_id) if event.person_id else None
        event._state.adding = True
        event.save()


def _carry_plan(plan: RelapsePlan, nxt: Course) -> None:
    """Start the next course's relapse-prevention plan from the one just agreed."""
    fields = ("warning_signs", "what_helps", "people_to_tell", "whom_to_contact")
    RelapsePlan.objects.update_or_create(
        course=nxt, defaults={name: getattr(plan, name) for name in fields}
    )


def _done_ids(course: Course) -> set[str]:
    return set(course.task_completions.values_list("task_id", flat=True))


__all__ = ["Ending", "close_course", "record_termination", "sessions_for_months"]
