"""Demo inventories, life events and formulations for the course engine's demo courses.

Each made-up case shows one way into a problem area (ipt.md §4.0): a death near onset
(grief), an open dispute with mismatched expectations, a move for a new job (transition),
few close ties (deficits, the last choice), and a separation with conflict, where a
dispute and a transition both seem present. Idempotent: a course that already has people
is left alone; without the demo courses nothing is done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openipt.courses.models import Course
from openipt.interpersonal import services
from openipt.interpersonal.models import Person
from openipt.interpersonal.support import course_facts, draft_for

P = dict[str, Any]

CASES: dict[str, dict[str, Any]] = {
    "DEMO-0001": {  # Maya: a role dispute with her partner
        "onset_days": 70,
        "people": [
            {"label": "Chris", "relationship": "partner", "ring": 1, "conflict": "overt",
             "expectations_match": "no", "support": "practical", "knows_about_depression": True,
             "expectations_self": "That we share the housework and the evenings with the baby.",
             "expectations_other": "That she keeps the house running as before.",
             "unsatisfying": "Arguments most evenings; feels unheard.",
             "changes_wished": "To talk without it turning into a row."},
            {"label": "Mum", "relationship": "mother", "ring": 2, "support": "practical",
             "contact_frequency": "Twice a week", "satisfying": "Helps with the baby."},
            {"label": "Aisha", "relationship": "friend", "ring": 2, "support": "confiding",
             "can_talk_about": "Almost anything", "knows_about_depression": True},
            {"label": "Team lead", "relationship": "manager", "ring": 4, "support": "none"},
        ],
        "events": [
            {"days": -45, "kind": "conflict", "person": "Chris",
             "description": "Row about going back to work"},
        ],
        "termination": {"Chris": {"ring": 1, "conflict": "covert"}},
    },
    "DEMO-0002": {  # Daniel: grief after his father's death
        "onset_days": 60,
        "people": [
            {"label": "Dad", "relationship": "father", "ring": 1, "status": "deceased",
             "support": "confiding", "satisfying": "Talked every Sunday.",
             "cannot_talk_about": "How ill he was at the end."},
            {"label": "Efua", "relationship": "wife", "ring": 1, "support": "confiding",
             "knows_about_depression": True},
            {"label": "Kwame", "relationship": "brother", "ring": 2, "support": "practical",
             "contact_frequency": "Monthly since the funeral"},
            {"label": "Colleague", "relationship": "colleague", "ring": 3, "support": "none",
             "knows_about_depression": False},
        ],
        "events": [
            {"days": -80, "kind": "death", "person": "Dad", "description": "Dad died"},
        ],
        "termination": {"Kwame": {"ring": 1, "support": "confiding"}},
    },
    "DEMO-0003": {  # Priya: a role transition after moving for a new job
        "onset_days": 50,
        "people": [
            {"label": "Sam", "relationship": "partner", "ring": 1, "support": "confiding",
             "contact_frequency": "Lives together"},
            {"label": "Old friends", "relationship": "friends", "ring": 3,
             "support": "confiding", "changes_wished": "See them more often."},
            {"label": "New manager", "relationship": "manager", "ring": 3, "support": "none"},
        ],
        "events": [
            {"days": -60, "kind": "job_change", "description": "Started a new post"},
            {"days": -55, "kind": "move", "description": "Moved to a new city"},
        ],
        "termination": {"Old friends": {"ring": 2}},
    },
    "DEMO-0004": {  # Tom: few close ties and no recent death, dispute or change
        "onset_days": 120,
        "people": [
            {"label": "Sister", "relationship": "sister", "ring": 3, "support": "practical",
             "contact_frequency": "A phone call at Christmas"},
            {"label": "Neighbour", "relationship": "neighbour", "ring": 4, "support": "none"},
        ],
        "events": [],
        "termination": {"Sister": {"ring": 2}},
    },
    "DEMO-0005": {  # Grace: a separation with conflict, then a move
        "onset_days": 40,
        "people": [
            {"label": "Jae", "relationship": "husband (separated)", "ring": 2,
             "status": "ended", "conflict": "overt", "expectations_match": "no"},
            {"label": "Daughter", "relationship": "daughter", "ring": 1, "support": "confiding"},
            {"label": "Min", "relationship": "friend", "ring": 2, "support": "practical"},
        ],
        "events": [
            {"days": -30, "kind": "separation", "person": "Jae",
             "description": "Separated from Jae"},
            {"days": -10, "kind": "move", "description": "Moved into a flat"},
        ],
        "termination": {},
    },
}  # fmt: skip


def extend_demo(summary: Any) -> None:
    """Fill the inventories of the demo courses that have none yet."""
    filled = []
    for number, case in CASES.items():
        course = (
            Course.objects.select_related("client", "therapist")
            .filter(client__record_number=number)
            .order_by("started_on", "id")
            .first()
        )
        if course is None or Person.objects.filter(course=course).exists():
            continue
        _fill(course, case)
        filled.append(course.client.name)
    if filled and hasattr(summary, "notes"):
        summary.notes.append(f"Interpersonal inventories for: {', '.join(filled)}.")


def _fill(course: Course, case: dict[str, Any]) -> None:
    actor = course.therapist
    today = timezone.localdate()
    onset = course.symptom_onset or min(
        course.started_on - dt.timedelta(days=case["onset_days"]), today
    )
    if course.symptom_onset is None:
        services.set_symptom_onset(actor, course, onset)
    people = {p["label"]: services.add_person(actor, course, **p) for p in case["people"]}
    for event in case["events"]:
        when = onset + dt.timedelta(days=event["days"])
        if when > today:
            continue
        person = people.get(event.get("person", ""))
        services.add_event(
            actor, course, date=when, kind=event["kind"],
            person_id=person.pk if person else None, description=event["description"],
        )  # fmt: skip
    services.take_snapshot(actor, course, "intake")
    if course.status != Course.Status.ACTIVE:
        for label, changes in case["termination"].items():
            services.update_person(actor, people[label], **changes)
        services.take_snapshot(actor, course, "termination")
    _formulate(course)


def _formulate(course: Course) -> None:
    """Draft and record a shared formulation where the course engine's demo chose a focus."""
    focus = course.foci.filter(replaced_at__isnull=True).order_by("position", "id").first()
    if focus is None:
        return
    people, events = course_facts(course)
    text = draft_for(course, focus.area, people, events, focus.dispute_stage)
    shared = course.started_on + dt.timedelta(days=21)
    shared_on = shared if shared <= timezone.localdate() else None
    services.save_formulation(
        course.therapist, course, text=text, area=focus.area, shared_on=shared_on,
        client_response="Said it fits; wants to start with what is happening now."
        if shared_on else "",
    )  # fmt: skip
