"""Write the inventory, snapshots, timeline, onset and formulation; every front end comes here.

Each function checks that the actor is the course's therapist, validates every field and
writes in one transaction, so a refusal never leaves half-written data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.core.errors import Problems
from openipt.courses.models import Course
from openipt.interpersonal.models import Formulation, InventorySnapshot, LifeEvent, Person

PERSON_FIELDS = (
    "label",
    "ring",
    "relationship",
    "status",
    "description",
    "contact_frequency",
    "shared_activities",
    "satisfying",
    "unsatisfying",
    "feelings",
    "expectations_self",
    "expectations_other",
    "expectations_match",
    "can_talk_about",
    "cannot_talk_about",
    "conflict",
    "knows_about_depression",
    "support",
    "changes_wished",
)
EVENT_FIELDS = ("date", "kind", "person", "person_id", "description")
FORMULATION_FIELDS = ("text", "area", "shared_on", "client_response")
EARLIEST = dt.date(1900, 1, 1)


def _check_therapist(actor, course: Course) -> None:
    if not policy.may_write_course(actor, course):
        raise PermissionDenied("Only the course's therapist can change it.")


def _check_known(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")


def _check_past(name: str, value: dt.date | None, what: str) -> None:
    """Refuse a date in the future or implausibly long ago, naming the field."""
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError({name: f"The {what} cannot be in the future."})
    if value < EARLIEST:
        raise ValidationError({name: f"The {what} must be after {EARLIEST.year}."})


def _check_ring(ring: object) -> None:
    # Checked before full_clean so that True or "2" never slip through as a ring.
    if isinstance(ring, bool) or not isinstance(ring, int) or not 1 <= ring <= 4:
        raise ValidationError({"ring": "Choose a ring from 1 (closest) to 4 (furthest)."})


def _clean_person(person: Person) -> None:
    _check_ring(person.ring)
    person.label = (person.label or "").strip()
    if person.support is None:
        person.support = ""
    person.full_clean(exclude=["course"])


# People ----------------------------------------------------------------------------------


@transaction.atomic
def add_person(actor, course: Course, **fields: Any) -> Person:
    """Add a person to the course's inventory; only the label and ring are required."""
    _check_therapist(actor, course)
    _check_known(fields, PERSON_FIELDS)
    person = Person(course=course, **fields)
    _clean_person(person)
    person.save()
    return person


@transaction.atomic
def update_person(actor, person: Person, **fields: Any) -> Person:
    """Change the given fields of a person, all or nothing."""
    _check_therapist(actor, person.course)
    _check_known(fields, PERSON_FIELDS)
    locked = Person.objects.select_for_update().select_related("course").get(pk=person.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    _clean_person(locked)
    locked.save()
    return locked


@transaction.atomic
def delete_person(actor, person: Person) -> None:
    """Remove a person; their life events stay on the timeline, unlinked."""
    _check_therapist(actor, person.course)
    person.delete()


# Snapshots -------------------------------------------------------------------------------


def snapshot_row(person: Person) -> dict[str, Any]:
    """Return the JSON copy of a person kept in a snapshot."""
    return {
        "id": person.pk,
        "label": person.label,
        "ring": person.ring,
        "relationship": person.relationship,
        "status": person.status,
        "conflict": person.conflict,
        "support": person.support,
        "expectations_match": person.expectations_match,
    }


@transaction.atomic
def take_snapshot(actor, course: Course, kind: str) -> InventorySnapshot:
    """Copy the inventory as it stands now; taking the same kind again replaces it."""
    _check_therapist(actor, course)
    if kind not in InventorySnapshot.Kind.values:
        raise ValidationError({"kind": "Choose intake or termination."})
    rows = [snapshot_row(p) for p in course.people.order_by("ring", "label", "id")]
    if not rows:
        raise ValidationError("Add at least one person to the inventory before saving it.")
    snapshot, _ = InventorySnapshot.objects.update_or_create(
        course=course,
        kind=kind,
        defaults={"taken_at": timezone.now(), "taken_by": actor, "people": rows},
    )
    return snapshot


# Life events -----------------------------------------------------------------------------


def _prepare_event(event: LifeEvent, fields: dict[str, Any]) -> None:
    if "person_id" in fields:
        fields["person"] = _person_of(event.course, fields.pop("person_id"))
    elif "person" in fields and fields["person"] is not None:
        fields["person"] = _person_of(event.course, fields["person"].pk)
    for name, value in fields.items():
        setattr(event, name, value)
    if event.description is None:
        event.description = ""
    event.description = event.description.strip()
    event.full_clean(exclude=["course", "person"])
    _check_past("date", event.date, "event date")


def _person_of(course: Course, person_id: int | None) -> Person | None:
    """Return the course's person with this id; refuse a person from another course."""
    if person_id is None:
        return None
    person = Person.objects.filter(course=course, pk=person_id).first()
    if person is None:
        raise ValidationError(
            {"person_id": "Choose a person from this client's inventory (or nobody)."}
        )
    return person


@transaction.atomic
def add_event(actor, course: Course, **fields: Any) -> LifeEvent:
    """Add a dated life event; the date may not be in the future."""
    _check_therapist(actor, course)
    _check_known(fields, EVENT_FIELDS)
    event = LifeEvent(course=course)
    _prepare_event(event, dict(fields))
    event.save()
    return event


@transaction.atomic
def update_event(actor, event: LifeEvent, **fields: Any) -> LifeEvent:
    """Change the given fields of a life event, all or nothing."""
    _check_therapist(actor, event.course)
    _check_known(fields, EVENT_FIELDS)
    locked = LifeEvent.objects.select_for_update().select_related("course").get(pk=event.pk)
    _prepare_event(locked, dict(fields))
    locked.save()
    return locked


@transaction.atomic
def delete_event(actor, event: LifeEvent) -> None:
    """Remove a life event from the timeline."""
    _check_therapist(actor, event.course)
    event.delete()


# Onset and formulation -------------------------------------------------------------------


@transaction.atomic
def set_symptom_onset(actor, course: Course, onset: dt.date | None) -> Course:
    """Record when the symptoms of this episode began (None clears it)."""
    _check_therapist(actor, course)
    if onset is not None and not isinstance(onset, dt.date):
        raise ValidationError({"symptom_onset": "Enter a date."})
    _check_past("symptom_onset", onset, "symptom onset")
    Course.objects.filter(pk=course.pk).update(symptom_onset=onset, updated_at=timezone.now())
    course.symptom_onset = onset
    return course


@transaction.atomic
def save_formulation(actor, course: Course, **fields: Any) -> Formulation:
    """Save the therapist's formulation text and when and how it was shared."""
    _check_therapist(actor, course)
    _check_known(fields, FORMULATION_FIELDS)
    formulation, _ = Formulation.objects.select_for_update().get_or_create(course=course)
    for name, value in fields.items():
        setattr(formulation, name, "" if value is None and name != "shared_on" else value)
    formulation.text = formulation.text.strip()
    formulation.updated_by = actor
    problems = Problems()
    with problems.check():
        formulation.full_clean(exclude=["course", "updated_by"])
    with problems.check():
        _check_past("shared_on", formulation.shared_on, "date it was shared")
    if formulation.shared_on and not formulation.text:
        with problems.check():
            raise ValidationError({"text": "Write the formulation before recording it as shared."})
    if formulation.client_response.strip() and not formulation.shared_on:
        with problems.check():
            raise ValidationError(
                {"shared_on": "Enter the date it was shared to record the client's response."}
            )
    problems.raise_any()
    formulation.save()
    return formulation


def choose_focus(
    actor,
    course: Course,
    area: str,
    *,
    dispute_stage: str = "",
    reason: str = "",
    deficits_confirmed: bool = False,
) -> Any:
    """Hand the chosen problem area to the course engine, which owns the focus rules."""
    _check_therapist(actor, course)
    try:
        from openipt.courses.services import set_focus
    except ImportError:
        raise ValidationError(
            "The course engine cannot store a focus yet; note the area in the formulation."
        ) from None
    item: dict[str, Any] = {"area": area, "dispute_stage": dispute_stage, "reason": reason}
    if deficits_confirmed:
        item["deficits_confirmed"] = True
    return set_focus(actor, course, areas=[item])
