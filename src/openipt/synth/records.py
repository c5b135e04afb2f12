"""The clinical records around a synthetic course: contract, focus, goals, tasks, inventory
and ending. Which tasks exist in which phase comes from `openipt.protocol`.
"""

from __future__ import annotations

import datetime
import functools
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openipt.courses.models import (
    Contract,
    Focus,
    Goal,
    MedicationEvaluation,
    RelapsePlan,
    SickRole,
    TaskCompletion,
    TerminationReview,
)
from openipt.interpersonal.models import LifeEvent, Person
from openipt.protocol.formats import get_format, raise_ending_threshold
from openipt.protocol.phases import tasks_for
from openipt.synth.config import AREA_MIX, END_DECISIONS
from openipt.synth.plan import CoursePlan, pick
from openipt.synth.rows import PERSON_BLANKS, REVIEW_TEXT, SYNTHETIC_NOTE

if TYPE_CHECKING:
    from openipt.synth.build import CourseBuilder

REFERRERS = ("GP", "Self-referral", "Community mental health team", "Occupational health", "")
# Inventory people: (label, ring). Rings are a generator choice, jittered per person.
PEOPLE = (
    ("Partner", 1), ("Mother", 1), ("Father", 2), ("Sister", 2), ("Brother", 2),
    ("Friend", 2), ("Son", 1), ("Daughter", 1), ("Colleague", 3), ("Manager", 3),
    ("Neighbour", 4), ("Cousin", 3), ("Grandmother", 2),
)  # fmt: skip
STAGES = (("renegotiation", 0.6), ("impasse", 0.3), ("dissolution", 0.1))
EVENT_KINDS = {
    "grief": "death",
    "role_dispute": "conflict",
    "role_transition": "job_change",
    "interpersonal_deficits": "loss_of_contact",
}
OTHER_EVENTS = ("move", "illness", "birth", "separation", "other")
MEDICATION = (("not_indicated", 0.5), ("continue", 0.25), ("refer", 0.15), ("client_declined", 0.1))
POOR = ("non_responder", "deteriorator")
POOR_END_DECISIONS = (
    ("discharge_with_relapse_plan", 0.4),
    ("other_treatment", 0.35),
    ("referral", 0.2),
    ("maintenance_contract", 0.05),
)


@dataclass(frozen=True)
class Details:
    """Course columns decided with the records."""

    contract_on: datetime.date | None
    end_decision: str
    symptom_onset: datetime.date
    referrer: str
    area: str


@functools.cache
def phase_tasks(format_code: str, phase: str) -> tuple[tuple[str, bool], ...]:
    """Return (task id, required) of a phase's tasks that are done once per course."""
    fmt = get_format(format_code)
    return tuple((t.id, t.required) for t in tasks_for(phase, fmt) if not t.recurring)


def add_records(
    b: CourseBuilder,
    rng: random.Random,
    plan: CoursePlan,
    course_id: int,
    therapist_id: int,
    session_ids: list[int],
    area: str | None,
) -> Details:
    """Write the course's records and return the course columns they decide."""
    attended = [
        (pk, s)
        for pk, s in zip(session_ids, plan.sessions, strict=True)
        if s.attendance == "attended"
    ]
    contract_on = _contracts(b, rng, plan, course_id, therapist_id)
    reached = len(attended) >= 2 or (area and attended)
    focus_at = attended[min(len(attended), 3) - 1] if reached else None
    if focus_at is not None:
        area = area or pick(rng, AREA_MIX)
        _focus(b, rng, course_id, therapist_id, area, focus_at[1].day)
    else:
        area = ""
    _goals(b, rng, plan, course_id)
    _tasks(b, rng, plan, course_id, therapist_id, attended, focus_at)
    decision = ""
    if plan.status == "ended":
        decision = "discharge_with_relapse_plan"
        if plan.format != "maintenance":
            decision = pick(rng, POOR_END_DECISIONS if plan.trajectory in POOR else END_DECISIONS)
        _ending(b, rng, plan, course_id, therapist_id, attended)
    onset = plan.started_on - datetime.timedelta(days=rng.randint(30, 365))
    if len(attended) >= 2:
        _inventory(b, rng, plan, course_id, area, onset)
    return Details(contract_on, decision, onset, rng.choice(REFERRERS), area)


def _contracts(
    b: CourseBuilder, rng: random.Random, plan: CoursePlan, course_id: int, therapist_id: int
) -> datetime.date | None:
    if plan.planned is None or plan.contract_session is None:
        return None
    agreed = plan.sessions[plan.contract_session].day
    rows = b.tables["contract"].rows
    longest = get_format(plan.format).allowed_sessions.max
    renegotiated = rng.random() < b.ctx.config.renegotiation_rate and plan.planned + 2 <= longest
    first = plan.planned + 2 if renegotiated else plan.planned  # shortened later
    ids = b.writer.ids(Contract, 2 if renegotiated else 1)
    rows.append((
        ids[0], course_id, first, plan.frequency, agreed.isoformat(), False, "", therapist_id,
        b.at(agreed, 17),
    ))  # fmt: skip
    if renegotiated:
        later = plan.attended[-1].day
        rows.append((
            ids[1], course_id, plan.planned, plan.frequency, later.isoformat(), True,
            SYNTHETIC_NOTE, therapist_id, b.at(later, 17),
        ))  # fmt: skip
    return agreed


def _focus(
    b: CourseBuilder,
    rng: random.Random,
    course_id: int,
    therapist_id: int,
    area: str,
    day: datetime.date,
) -> None:
    stage = pick(rng, STAGES) if area == "role_dispute" else ""
    b.tables["focus"].rows.append((
        b.writer.ids(Focus, 1)[0], course_id, area, stage, "",
        area == "interpersonal_deficits", 1, day.isoformat(), None, therapist_id,
    ))  # fmt: skip


def _goals(b: CourseBuilder, rng: random.Random, plan: CoursePlan, course_id: int) -> None:
    if plan.planned is None:
        return
    if plan.status == "ended":
        status = {"responder": "met", "partial": "partly_met"}.get(plan.trajectory, "not_met")
    else:
        status = "open"
    count = 1 if plan.format == "ipc" else rng.randint(2, 3)
    after = plan.status == "ended" and rng.random() < 0.3
    ids = b.writer.ids(Goal, count + int(after))
    stamp = b.at(plan.ended_on or plan.started_on, 17)
    rows = b.tables["goal"].rows
    for n in range(count):
        rows.append((ids[n], course_id, f"Synthetic goal {n + 1}", status, n + 1, False, stamp))
    if after:
        rows.append(
            (ids[count], course_id, "Synthetic goal after treatment", "open", 1, True, stamp)
        )


def _tasks(
    b: CourseBuilder,
    rng: random.Random,
    plan: CoursePlan,
    course_id: int,
    therapist_id: int,
    attended: list,
    focus_at: tuple | None,
) -> None:
    """Tick off once-per-course tasks in sessions of their phase."""
    by_phase: dict[str, list] = {}
    for pk, s in attended:
        by_phase.setdefault(s.phase, []).append((pk, s))
    done: list[tuple[str, tuple]] = []
    for phase, held in by_phase.items():
        for task_id, required in phase_tasks(plan.format, phase):
            if task_id in ("choose_problem_area", "share_formulation"):
                if focus_at is not None and rng.random() < 0.95:
                    done.append((task_id, focus_at))
                continue
            if task_id == "non_responder_handling" and plan.trajectory not in POOR:
                continue
            if task_id == "partial_responder_handling" and plan.trajectory != "partial":
                continue
            if rng.random() < (0.92 if required else 0.5):
                done.append((task_id, rng.choice(held)))
    ids = b.writer.ids(TaskCompletion, len(done))
    rows = b.tables["task"].rows
    for pk, (task_id, (session_id, session)) in zip(ids, done, strict=True):
        rows.append((pk, course_id, task_id, session_id, "", session.day.isoformat(), therapist_id))
        if task_id == "sick_role":
            b.tables["sick_role"].rows.append((
                b.writer.ids(SickRole, 1)[0], course_id, "", "", "Depression (synthetic record)",
                plan.format == "adolescent", session.day.isoformat(), "",
            ))  # fmt: skip
        elif task_id == "medication_evaluation":
            b.tables["medication"].rows.append((
                b.writer.ids(MedicationEvaluation, 1)[0], course_id, session.day.isoformat(),
                pick(rng, MEDICATION), "", "", "", "", "",
            ))  # fmt: skip


def _ending(
    b: CourseBuilder,
    rng: random.Random,
    plan: CoursePlan,
    course_id: int,
    therapist_id: int,
    attended: list,
) -> None:
    if rng.random() < b.ctx.config.no_review_rate:
        return  # ended without a review, as an import might leave it
    fmt = get_format(plan.format)
    raised_at = max(1, (plan.planned or len(attended)) - raise_ending_threshold(fmt))
    raised = next((s.day for _, s in attended if s.number == raised_at), None)
    response = {"responder": "responder", "partial": "partial"}.get(
        plan.trajectory, "non_responder"
    )
    last = attended[-1][1].day
    b.tables["termination"].rows.append((
        b.writer.ids(TerminationReview, 1)[0], course_id, raised and raised.isoformat(),
        response, True, last.isoformat(), therapist_id, "", *([""] * len(REVIEW_TEXT)),
    ))  # fmt: skip
    b.tables["relapse_plan"].rows.append((
        b.writer.ids(RelapsePlan, 1)[0], course_id, SYNTHETIC_NOTE, SYNTHETIC_NOTE, "", "",
        b.at(last, 17),
    ))  # fmt: skip


def _inventory(
    b: CourseBuilder,
    rng: random.Random,
    plan: CoursePlan,
    course_id: int,
    area: str,
    onset: datetime.date,
) -> None:
    """Write 3-7 people and 1-3 life events, the key event fitting the problem area."""
    chosen = rng.sample(PEOPLE, rng.randint(3, 7))
    ids = b.writer.ids(Person, len(chosen))
    stamp = b.at(plan.started_on, 12)
    rows = b.tables["person"].rows
    key_person = ids[0]
    for n, (pk, (label, ring)) in enumerate(zip(ids, chosen, strict=True)):
        status, conflict, match = "present", "none", "unclear"
        if n == 0 and area == "grief":
            status = "deceased"
        elif n == 0 and area == "role_dispute":
            conflict, match = rng.choice(("overt", "covert")), "no"
        ring = min(4, max(1, ring + rng.choice((-1, 0, 0, 1))))
        support = rng.choice(("confiding", "practical", "none", ""))
        knows = rng.choice((True, False, None))
        rows.append((
            pk, course_id, label, ring, label.lower(), status, match, conflict, knows, support,
            stamp, stamp, *PERSON_BLANKS,
        ))  # fmt: skip
    kinds = [EVENT_KINDS.get(area, "other"), *rng.sample(OTHER_EVENTS, rng.randint(0, 2))]
    event_ids = b.writer.ids(LifeEvent, len(kinds))
    for n, (pk, kind) in enumerate(zip(event_ids, kinds, strict=True)):
        day = onset - datetime.timedelta(
            days=rng.randint(0, 60) if n == 0 else rng.randint(60, 720)
        )
        person = key_person if n == 0 and area in ("grief", "role_dispute") else None
        b.tables["life_event"].rows.append(
            (pk, course_id, day.isoformat(), kind, person, "", stamp)
        )
