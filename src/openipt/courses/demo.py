"""Demo courses for the demo therapist's clients, each in a different phase. Idempotent.

Everything is made up. The courses are built through the services, so the demo obeys the
same rules as real use: contracts before the middle phase, stages for disputes, and so on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.courses import services
from openipt.courses.models import Course

MIDDLE = {"techniques": ["clarification", "communication_analysis"]}


def _day(offset: int) -> date:
    return date.today() - timedelta(days=offset)


def _sessions(actor, course: Course, plan: list[tuple[int, str, dict[str, Any]]]) -> None:
    """Record sessions given as (days ago, attendance, extra fields)."""
    for days_ago, attendance, extra in plan:
        services.record_session(actor, course, _day(days_ago), attendance, **extra)


def _initial_records(actor, course: Course, days_ago: int, decision: str, note: str) -> None:
    services.record_sick_role(
        actor,
        course,
        diagnosis_label="Depressive episode, moderate",
        diagnosis_system="icd10",
        diagnosis_code="F32.1",
        explained_on=_day(days_ago),
    )
    services.record_medication_evaluation(
        actor,
        course,
        decision=decision,
        severity="Moderate symptoms; working, but with effort.",
        preference=note,
        evaluated_on=_day(days_ago),
    )


def _maya(actor, client: Client) -> None:
    """Standard IPT, 16 sessions, at session 6: a role dispute at impasse."""
    course = services.open_course(
        actor,
        client,
        "standard",
        16,
        started_on=_day(42),
        referrer="Dr Helen Marsh, GP",
        symptom_onset=_day(130),
    )
    _initial_records(actor, course, 42, "client_declined", "Would rather try therapy first.")
    _sessions(
        actor,
        course,
        [
            (
                42,
                "attended",
                {
                    "notes": "Symptom review with the PHQ-9; named the depression and "
                    "gave the sick role.",
                    "tasks_done": ["symptom_review_diagnosis", "rating_scale", "psychoeducation"],
                },
            ),
            (
                35,
                "attended",
                {
                    "notes": "Interpersonal inventory: partner Sam, sister Jo, two "
                    "colleagues. Low mood began after rows about Sam's new shifts.",
                    "tasks_done": ["interpersonal_inventory", "link_symptoms_to_events"],
                },
            ),
            (
                28,
                "attended",
                {
                    "notes": "Shared the formulation: a dispute with Sam about who "
                    "carries the home. Agreed 16 weekly sessions and three goals.",
                    "tasks_done": ["share_formulation"],
                },
            ),
        ],
    )
    _maya_middle(actor, course)


def _maya_middle(actor, course: Course) -> None:
    """Maya's contract, focus and goals, then the first middle-phase sessions."""
    services.set_contract(actor, course, 16, "weekly", agreed_on=_day(28))
    services.set_focus(actor, course, [{"area": "role_dispute", "dispute_stage": "impasse"}])
    services.set_goals(
        actor,
        course,
        [
            {"text": "Tell Sam what I need without it turning into a row"},
            {"text": "See my sister on Sundays again", "status": "partly_met"},
            {"text": "Sleep through most nights"},
        ],
    )
    strategy = "Establish the stage of the dispute first, because the strategy depends on it."
    _sessions(
        actor,
        course,
        [
            (
                21,
                "attended",
                {
                    **MIDDLE,
                    "strategies": [strategy],
                    "mood_event_link": "Worst day was Thursday, after Sam cancelled dinner.",
                    "between_sessions_work": "Notice what I feel before I go quiet.",
                },
            ),
            (14, "cancelled", {"notes": "Maya cancelled: child unwell."}),
            (
                12,
                "attended",
                {
                    "techniques": ["role_play", "communication_analysis"],
                    "notes": "Role-played asking Sam to share the school run.",
                },
            ),
            (
                7,
                "attended",
                {
                    **MIDDLE,
                    "mood_event_link": "Mood lifted after a calm talk with Sam on Sunday.",
                    "notes": "Talked about whether the stalemate can move.",
                },
            ),
        ],
    )


def _daniel(actor, client: Client) -> None:
    """Brief IPT, early: the engagement session and the first IPT-B session."""
    course = services.open_course(
        actor, client, "brief", 9, started_on=_day(8), referrer="Student counselling service"
    )
    _sessions(
        actor,
        course,
        [
            (
                8,
                "attended",
                {
                    "notes": "Engagement session: what he hopes for, what got in the way "
                    "of help before.",
                    "modality": "video",
                },
            ),
            (
                1,
                "attended",
                {
                    "notes": "Symptom review; named the depression. He moved here for "
                    "his course in September.",
                    "tasks_done": ["symptom_review_diagnosis", "psychoeducation"],
                },
            ),
        ],
    )
    services.set_contract(actor, course, 9, "weekly", agreed_on=_day(1))


def _priya(actor, client: Client) -> None:
    """Standard IPT, 12 sessions, in the termination phase with a review under way."""
    course = services.open_course(
        actor,
        client,
        "standard",
        12,
        started_on=_day(77),
        referrer="Dr Amir Shah, GP",
        symptom_onset=_day(160),
    )
    _initial_records(actor, course, 77, "not_indicated", "Open to medication if no change.")
    _sessions(actor, course, [(77 - 7 * n, "attended", {}) for n in range(3)])
    services.set_contract(actor, course, 12, "weekly", agreed_on=_day(63))
    services.set_focus(actor, course, [{"area": "role_transition"}])
    services.set_goals(
        actor,
        course,
        [
            {"text": "Feel I belong at work", "status": "partly_met"},
            {"text": "Make two friends in the new city", "status": "met"},
            {"text": "Visit my parents once a month", "status": "met", "after_treatment": True},
        ],
    )
    _sessions(actor, course, [(56 - 7 * n, "attended", MIDDLE) for n in range(8)])
    services.record_termination(
        actor,
        course,
        ending_raised_on=_day(21),
        why_better="I stopped waiting to feel settled and started inviting people.",
        achieved="Has a small circle of friends; visits her parents.",
        not_achieved="Still unsure of her place in the new team.",
        feelings_about_ending="Sad to stop; a bit worried about the winter.",
        warning_signs="Cancelling plans, working late every night.",
        what_helps="The Thursday climbing group; calling her mother.",
    )


def _tom(actor, client: Client) -> None:
    """A standard course that ended, followed by monthly maintenance IPT."""
    course = services.open_course(
        actor,
        client,
        "standard",
        16,
        started_on=_day(200),
        referrer="Dr Helen Marsh, GP",
        symptom_onset=_day(260),
    )
    _initial_records(actor, course, 200, "continue", "Stays on his current antidepressant.")
    _sessions(actor, course, [(200 - 7 * n, "attended", {}) for n in range(3)])
    services.set_contract(actor, course, 16, "weekly", agreed_on=_day(186))
    services.set_focus(actor, course, [{"area": "grief"}])
    services.set_goals(
        actor,
        course,
        [
            {"text": "Talk about Mark without shutting down", "status": "met"},
            {"text": "Go back to the Saturday football", "status": "met"},
            {"text": "Keep in touch with Mark's friends", "after_treatment": True},
        ],
    )
    _sessions(actor, course, [(179 - 7 * n, "attended", {}) for n in range(13)])
    ending = services.record_termination(
        actor,
        course,
        ending_raised_on=_day(116),
        why_better="I let myself miss him, and I went back to the people we shared.",
        achieved="Grieving openly; back at football; sleeping again.",
        feelings_about_ending="Worried the sessions ending will feel like another loss.",
        response="responder",
        warning_signs="Drinking alone; skipping football; not answering his sister.",
        what_helps="Telling his sister how he is; the Saturday match.",
        people_to_tell="His sister Ruth",
        whom_to_contact="His GP, or this service",
        maintenance_discussed=True,
        decision="maintenance_contract",
        maintenance_frequency="monthly",
        maintenance_months=24,
        ended_on=_day(94),
    )
    assert ending.follow_on is not None
    _sessions(actor, ending.follow_on, [(d, "attended", {}) for d in (64, 34, 4)])


def _luis(actor, client: Client) -> None:
    """Interpersonal counselling for a supervisee's client, for the supervisor's view."""
    course = services.open_course(actor, client, "ipc", 6, started_on=_day(15))
    _sessions(actor, course, [(15, "attended", {}), (8, "attended", {})])
    services.set_contract(actor, course, 6, "weekly", agreed_on=_day(8))


DEMO_COURSES = [
    ("DEMO-0001", _maya),
    ("DEMO-0002", _daniel),
    ("DEMO-0003", _priya),
    ("DEMO-0004", _tom),
    ("DEMO-0006", _luis),
]


@transaction.atomic
def extend_demo(summary) -> None:
    """Give demo clients their courses unless they already have one."""
    made = []
    for record_number, build in DEMO_COURSES:
        client = Client.objects.filter(record_number=record_number).first()
        if client is None or client.courses.exists():
            continue
        build(User.objects.get(pk=client.primary_therapist_id), client)
        made.append(client.name)
    if made:
        summary.notes.append(f"Courses opened for {', '.join(made)}.")
