"""Open a course, agree its contract, record its sessions and work out what is due next.

Web pages, the REST API and the CLI all come through here (and through `records` and
`ending`, re-exported below), so each IPT rule from `openipt.protocol` is applied once.
Every write is one transaction; a refusal raises ValidationError or PermissionDenied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery, prefetch_related_objects

from openipt import policy
from openipt.assessments import summary
from openipt.clients.models import Client
from openipt.core.errors import Problems
from openipt.courses import records
from openipt.courses.checks import (
    check_active,
    check_choice,
    check_not_before_start,
    check_past,
    check_plausible_start,
    check_writer,
    clean_text,
    lock,
    protocol_errors,
    today,
)
from openipt.courses.corrections import amend_course
from openipt.courses.ending import Ending, close_course, record_termination
from openipt.courses.intake import check_age, intake_notices, screen
from openipt.courses.models import Contract, Course, Frequency, Session
from openipt.courses.models import Format as CourseFormat
from openipt.courses.records import (
    FocusChange,
    complete_task,
    current_foci,
    record_medication_evaluation,
    record_sick_role,
    set_focus,
    set_goals,
    uncomplete_task,
)
from openipt.protocol.formats import (
    Format,
    Phase,
    SessionSlot,
    get_format,
    phase_for_session,
    session_slot,
)
from openipt.protocol.plan import Agenda, CourseState, FocusItem, agenda
from openipt.protocol.rules import (
    Notice,
    check_contract,
    check_renegotiation,
    check_session_allowed,
)
from openipt.protocol.techniques import all_techniques

__all__ = [
    "ContractChange",
    "Ending",
    "FocusChange",
    "close_course",
    "complete_task",
    "course_state",
    "current_phase",
    "intake_notices",
    "next_agenda",
    "open_course",
    "record_medication_evaluation",
    "record_session",
    "record_sick_role",
    "record_termination",
    "set_contract",
    "set_focus",
    "set_goals",
    "uncomplete_task",
    "update_course",
]


def _format(code: object) -> Format:
    if not isinstance(code, str) or code not in CourseFormat.values:
        known = ", ".join(CourseFormat.values)
        raise ValidationError({"format": f"Choose a format: {known}."}, code="unknown_format")
    with protocol_errors("format"):
        return get_format(code)


@transaction.atomic
def open_course(
    actor,
    client,
    format: str,
    planned_sessions: int | None = None,
    frequency: str | None = None,
    started_on: date | None = None,
    *,
    intake_flags: Sequence[str] | None = None,
    referrer: str = "",
    symptom_onset: date | None = None,
    confirm_old_start: bool = False,
) -> Course:
    """Open a course of an IPT format for a client in the actor's caseload.

    Every refusal of the request is raised together; a start date long past is refused
    unless the therapist confirms it (`check_plausible_start`).
    """
    if not policy.may_write_client(actor, client):
        raise PermissionDenied("Only the client's therapist can open a course.")
    fmt = _format(format)
    frequency = frequency or fmt.default_frequency.value
    started_on = started_on or today()
    problems = Problems()
    with problems.check():
        if planned_sessions is None:
            check_choice(frequency, Frequency, "frequency", "Frequency")
        with protocol_errors():
            planned = fmt.default_sessions if planned_sessions is None else planned_sessions
            check_contract(fmt, planned, frequency)
    with problems.check():
        check_past(started_on, "started_on", "The start date")
    with problems.check():
        check_plausible_start(client, started_on, confirmed=confirm_old_start)
    with problems.check():
        check_past(symptom_onset, "symptom_onset", "The onset of symptoms")
    with problems.check():
        check_age(fmt, client, started_on)
    screened: list[dict[str, object]] = []
    with problems.check():
        screened = screen(fmt, intake_flags)
    problems.raise_any()
    # Lock the client so that two requests cannot both open an active course.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    if client.courses.filter(status=Course.Status.ACTIVE).exists():
        raise ValidationError(
            f"{client.name} already has an active course; end it before opening another.",
            code="active_course_exists",
        )
    course = Course(
        client=client,
        therapist=actor,
        format=fmt.code,
        planned_sessions=planned_sessions,
        frequency=frequency,
        started_on=started_on,
        intake_flags=screened,
        referrer=clean_text(referrer, "referrer", max_length=200),
        symptom_onset=symptom_onset,
    )
    course.full_clean()
    course.save()
    return course


def update_course(actor, course: Course, **fields) -> Course:
    """Change the course's details (start, format, referrer, onset of symptoms); changing
    a recorded value needs a reason and keeps the previous one as an amendment."""
    return amend_course(actor, course, **fields)


@dataclass(frozen=True)
class ContractChange:
    """The contract now in force, whether it changed, and notes to show."""

    contract: Contract
    changed: bool
    notices: tuple[Notice, ...] = ()


@transaction.atomic
def set_contract(
    actor,
    course: Course,
    planned_sessions: int,
    frequency: str,
    agreed_on: date | None = None,
    reason: str = "",
) -> ContractChange:
    """Agree the contract; a later change is an explicit renegotiation with a reason [S33]."""
    check_writer(actor, course)
    locked = lock(course)
    check_active(locked)
    fmt = get_format(locked.format)
    with protocol_errors():
        notices = check_contract(fmt, planned_sessions, frequency)
    agreed_on = agreed_on or today()
    check_past(agreed_on, "agreed_on", "The date agreed")
    check_not_before_start(locked, agreed_on, "agreed_on", "The date agreed")
    reason = clean_text(reason, "reason")
    if planned_sessions < locked.sessions_attended:
        raise ValidationError(
            {
                "planned_sessions": f"The course has already had {locked.sessions_attended} "
                "sessions; the contract cannot be shorter."
            },
            code="below_sessions_held",
        )
    current = locked.contracts.order_by("-recorded_at", "-id").first()
    if current and (current.planned_sessions, current.frequency) == (planned_sessions, frequency):
        return ContractChange(current, changed=False, notices=tuple(notices))
    if current:
        _check_renegotiation(fmt, current, planned_sessions, frequency, reason)
        if agreed_on < current.agreed_on:
            raise ValidationError(
                {"agreed_on": "A renegotiation cannot be dated before the contract it changes."}
            )
    contract = Contract.objects.create(
        course=locked,
        planned_sessions=planned_sessions,
        frequency=frequency,
        agreed_on=agreed_on,
        is_renegotiation=current is not None,
        reason=reason,
        recorded_by=actor,
    )
    locked.planned_sessions, locked.frequency = planned_sessions, frequency
    locked.contract_agreed_on = locked.contract_agreed_on or agreed_on
    locked.save(update_fields=["planned_sessions", "frequency", "contract_agreed_on", "updated_at"])
    records.complete_contract_task(actor, locked)
    return ContractChange(contract, changed=True, notices=tuple(notices))


def _check_renegotiation(
    fmt: Format, current: Contract, planned: int, frequency: str, reason: str
) -> None:
    if planned != current.planned_sessions:
        with protocol_errors():
            check_renegotiation(current.planned_sessions, planned, reason, fmt)
    elif not reason:
        raise ValidationError(
            {
                "reason": "Record the reason for changing the contract; changes are "
                "renegotiated explicitly."
            },
            code="reason_required",
        )


def _check_session_date(course: Course, when: object) -> date:
    """Refuse a missing, future or early date; `course` carries `previous_on` (`_lock`)."""
    if not isinstance(when, date):
        raise ValidationError({"date": "Enter the date of the session."}, code="required")
    check_past(when, "date", "The session date")
    check_not_before_start(course, when, "date", "The session date")
    previous = course.previous_on  # type: ignore[attr-defined]
    if previous and when < previous:
        raise ValidationError(
            {
                "date": f"The session date cannot be before the previous session "
                f"({previous.strftime('%-d %b %Y')})."
            },
            code="before_previous",
        )
    return when


def _check_session_work(
    course: Course, attended: bool, techniques: Sequence[str], strategies: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Refuse unknown techniques and strategies outside the chosen focus."""
    if not attended and (techniques or strategies):
        raise ValidationError(
            "Techniques and strategies are recorded only for attended sessions.",
            code="missed_session_work",
        )
    problems = Problems()
    known = {t.id for t in all_techniques()}
    bad = [t for t in techniques if t not in known]
    if bad:
        with problems.check():
            raise ValidationError({"techniques": f"Unknown technique: {', '.join(map(str, bad))}."})
    offered = {s.text for s in next_agenda(course).strategies} if strategies else set()
    if any(s not in offered for s in strategies):
        with problems.check():
            raise ValidationError(
                {
                    "strategies": "Choose strategies of the course's current problem area; "
                    "they are offered from the middle phase on."
                },
                code="unknown_strategy",
            )
    problems.raise_any()
    return list(dict.fromkeys(techniques)), list(dict.fromkeys(strategies))


def _lock(course: Course) -> Course:
    """Lock the course row and read, in the same query, what a session save checks (the
    previous session's date) and what the summary's incremental update needs."""
    previous = Session.objects.filter(course=OuterRef("pk")).order_by("-date", "-id")
    query = Course.objects.select_related("client", "therapist").annotate(
        previous_on=Subquery(previous.values("date")[:1])
    )
    return summary.lock(course, query)


@transaction.atomic
def record_session(
    actor,
    course: Course,
    date: date,
    attendance: str,
    notes: str = "",
    modality: str = Session.Modality.IN_PERSON,
    techniques: Sequence[str] = (),
    strategies: Sequence[str] = (),
    between_sessions_work: str = "",
    mood_event_link: str = "",
    tasks_done: Sequence[str] = (),
) -> Session:
    """Record a session, numbered and phased by the format from the sessions attended."""
    check_writer(actor, course)
    locked = _lock(course)
    check_active(locked)
    problems = Problems()
    with problems.check():
        attendance = check_choice(attendance, Session.Attendance, "attendance", "Attendance")
    with problems.check():
        modality = check_choice(modality, Session.Modality, "modality", "Modality")
    with problems.check():
        when = _check_session_date(locked, date)
    problems.raise_any()
    attended = attendance == Session.Attendance.ATTENDED
    slot = _next_slot(locked, attended)
    if strategies or tasks_done:  # the focus and the tasks, read once under the lock
        prefetch_related_objects([locked], records.current_foci_prefetch(), "task_completions")
    techniques, strategies = _check_session_work(locked, attended, techniques, strategies)
    if tasks_done and not attended:
        raise ValidationError("Tasks are ticked off only in attended sessions.")
    session = Session(
        course=locked,
        number=slot.number,
        date=when,
        attendance=attendance,
        modality=modality,
        phase=slot.phase.value,
        is_engagement=slot.engagement,
        techniques=techniques,
        strategies=strategies,
        mood_event_link=clean_text(mood_event_link, "mood_event_link"),
        between_sessions_work=clean_text(between_sessions_work, "between_sessions_work"),
        notes=clean_text(notes, "notes"),
        recorded_by=actor,
    )
    _validate(session, locked)
    with summary.kept_by_caller(locked.pk):  # the summary is updated below, incrementally
        session.save()
    if attended:
        _count_attended(actor, locked, session, tasks_done)
    else:
        summary.touch(locked)  # no summary column changes, but the next locked read must know
    course.sessions_attended = locked.sessions_attended
    course.last_session_on = locked.last_session_on
    return session


def _validate(session: Session, course: Course) -> None:
    """Validate the session's fields without the database checks the lock makes needless.

    The course is the locked row and the author the signed-in user, so both rows exist; an
    attended number above every attended one (read with the lock) cannot clash, so the
    unique constraint is checked only when the numbers have a gap.
    """
    attended = session.attendance == Session.Attendance.ATTENDED
    highest = course.summary_current or 0  # type: ignore[attr-defined]
    clash = attended and session.number <= highest
    session.full_clean(exclude=["course", "recorded_by"], validate_constraints=clash)


def _next_slot(course: Course, attended: bool) -> SessionSlot:
    """Return the next session's slot; refuse attended work the contract does not cover."""
    fmt = get_format(course.format)
    number = course.sessions_attended + 1
    contract_set = course.contract_agreed_on is not None
    planned = course.planned_sessions or fmt.default_sessions
    if attended and contract_set and number > planned:
        raise ValidationError(
            f"The {planned} contracted sessions are used up: end the course or renegotiate "
            "the contract explicitly [S33].",
            code="beyond_contract",
        )
    slot = session_slot(fmt, planned, number)
    if attended:
        with protocol_errors():
            check_session_allowed(slot.phase, contract_set)
    return slot


def _count_attended(actor, course: Course, session: Session, tasks_done: Sequence[str]) -> None:
    """Keep the summary columns in step with an attended session and tick its tasks."""
    last_on = max(session.date, course.last_session_on or session.date)
    summary.session_added(course, session, course, last_session_on=last_on)
    if tasks_done:
        records.tick_tasks(actor, course, tasks_done, session=session, on=session.date)


def course_state(course: Course) -> CourseState:
    """Return the protocol's view of the course (uses prefetched foci and tasks if present)."""
    return CourseState(
        format_code=course.format,
        planned_sessions=course.planned_sessions,
        contract_set=course.contract_agreed_on is not None,
        sessions_held=course.sessions_attended,
        next_session_number=course.sessions_attended + 1,
        focus=tuple(FocusItem(f.area, f.dispute_stage or None) for f in current_foci(course)),
        completed_task_ids=frozenset(t.task_id for t in course.task_completions.all()),
        measure_due=course.measure_due,
        measure_missed=course.measure_missed and course.status == Course.Status.ACTIVE,
        ended=course.status != Course.Status.ACTIVE,
    )


def next_agenda(course: Course) -> Agenda:
    """Return the agenda of the course's next session; pure given the stored state."""
    state = course_state(course)
    result = agenda(state)
    # The plan may be the intake's intention; it is a contract only once one is agreed.
    return replace(result, planned_is_contract=state.contract_set)


def current_phase(course: Course) -> Phase:
    """Return the phase the course is in: the next session's, or the last one's once ended."""
    fmt = get_format(course.format)
    planned = course.planned_sessions or fmt.default_sessions
    number = course.sessions_attended + (1 if course.status == Course.Status.ACTIVE else 0)
    return phase_for_session(fmt, planned, max(number, 1))
