"""REST operations of the interpersonal area: inventory, life events, suggestions, formulation.

No `from __future__ import annotations` in routers: django-ninja reads the annotations
at run time. Paths are full (the router is mounted at "/") because these resources live
under a course that the course engine serves.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from openipt.api.schemas import responses
from openipt.courses.access import get_course_for_user
from openipt.interpersonal import services
from openipt.interpersonal.models import Formulation, InventorySnapshot, LifeEvent, Person
from openipt.interpersonal.schemas import (
    NULLABLE_PERSON,
    EventIn,
    EventOut,
    EventPatch,
    FormulationIn,
    FormulationOut,
    Pages,
    PersonIn,
    PersonOut,
    PersonPatch,
    SnapshotIn,
    SnapshotOut,
    SuggestionOut,
)
from openipt.interpersonal.support import suggestions_for

router = Router(tags=["interpersonal"])


def _refuse_nulls(changes: dict, allowed: tuple[str, ...]) -> None:
    nulls = sorted(k for k, v in changes.items() if v is None and k not in allowed)
    if nulls:
        raise ValidationError({key: "This field cannot be null." for key in nulls})


# People ----------------------------------------------------------------------------------


@router.get(
    "/courses/{course_id}/inventory",
    response=responses(list[PersonOut]),
    summary="List the people in a course's interpersonal inventory",
)
@paginate(Pages)
def list_people(request: HttpRequest, course_id: int):
    course = get_course_for_user(request, course_id)
    return Person.objects.filter(course=course).order_by("ring", "label", "id")


@router.post(
    "/courses/{course_id}/inventory",
    response=responses(PersonOut, 201),
    summary="Add a person to the inventory (label and ring required)",
)
def add_person(request: HttpRequest, course_id: int, payload: PersonIn):
    course = get_course_for_user(request, course_id, write=True)
    fields = payload.model_dump()
    fields["support"] = fields["support"] or ""
    return Status(201, services.add_person(request.user, course, **fields))


def _person(request: HttpRequest, course_id: int, person_id: int, *, write: bool) -> Person:
    course = get_course_for_user(request, course_id, write=write)
    return get_object_or_404(Person.objects.select_related("course"), pk=person_id, course=course)


@router.get(
    "/courses/{course_id}/inventory/{person_id}",
    response=responses(PersonOut),
    summary="Read a person in the inventory",
)
def get_person(request: HttpRequest, course_id: int, person_id: int):
    return _person(request, course_id, person_id, write=False)


@router.patch(
    "/courses/{course_id}/inventory/{person_id}",
    response=responses(PersonOut),
    summary="Change a person in the inventory",
)
def patch_person(request: HttpRequest, course_id: int, person_id: int, payload: PersonPatch):
    person = _person(request, course_id, person_id, write=True)
    changes = payload.model_dump(exclude_unset=True)
    _refuse_nulls(changes, NULLABLE_PERSON)
    if "support" in changes:
        changes["support"] = changes["support"] or ""
    return services.update_person(request.user, person, **changes)


@router.delete(
    "/courses/{course_id}/inventory/{person_id}",
    response=responses(None, 204),
    summary="Remove a person (their life events stay, unlinked)",
)
def delete_person(request: HttpRequest, course_id: int, person_id: int):
    services.delete_person(request.user, _person(request, course_id, person_id, write=True))
    return Status(204, None)


# Snapshots -------------------------------------------------------------------------------


@router.get(
    "/courses/{course_id}/snapshots",
    response=responses(list[SnapshotOut]),
    summary="List the saved intake and termination inventories",
)
def list_snapshots(request: HttpRequest, course_id: int):
    course = get_course_for_user(request, course_id)
    return list(InventorySnapshot.objects.filter(course=course).order_by("kind"))


@router.post(
    "/courses/{course_id}/snapshots",
    response=responses(SnapshotOut, 201),
    summary="Save the inventory as it stands now as the intake or termination circle",
)
def take_snapshot(request: HttpRequest, course_id: int, payload: SnapshotIn):
    course = get_course_for_user(request, course_id, write=True)
    return Status(201, services.take_snapshot(request.user, course, payload.kind))


# Life events -----------------------------------------------------------------------------


@router.get(
    "/courses/{course_id}/events",
    response=responses(list[EventOut]),
    summary="List a course's life events in date order",
)
@paginate(Pages)
def list_events(request: HttpRequest, course_id: int):
    course = get_course_for_user(request, course_id)
    return LifeEvent.objects.filter(course=course).order_by("date", "id")


@router.post(
    "/courses/{course_id}/events",
    response=responses(EventOut, 201),
    summary="Add a life event (not in the future; the person must be in this inventory)",
)
def add_event(request: HttpRequest, course_id: int, payload: EventIn):
    course = get_course_for_user(request, course_id, write=True)
    return Status(201, services.add_event(request.user, course, **payload.model_dump()))


def _event(request: HttpRequest, course_id: int, event_id: int, *, write: bool) -> LifeEvent:
    course = get_course_for_user(request, course_id, write=write)
    return get_object_or_404(LifeEvent.objects.select_related("course"), pk=event_id, course=course)


@router.get(
    "/courses/{course_id}/events/{event_id}",
    response=responses(EventOut),
    summary="Read a life event",
)
def get_event(request: HttpRequest, course_id: int, event_id: int):
    return _event(request, course_id, event_id, write=False)


@router.patch(
    "/courses/{course_id}/events/{event_id}",
    response=responses(EventOut),
    summary="Change a life event",
)
def patch_event(request: HttpRequest, course_id: int, event_id: int, payload: EventPatch):
    event = _event(request, course_id, event_id, write=True)
    changes = payload.model_dump(exclude_unset=True)
    _refuse_nulls(changes, ("person_id",))
    return services.update_event(request.user, event, **changes)


@router.delete(
    "/courses/{course_id}/events/{event_id}",
    response=responses(None, 204),
    summary="Remove a life event",
)
def delete_event(request: HttpRequest, course_id: int, event_id: int):
    services.delete_event(request.user, _event(request, course_id, event_id, write=True))
    return Status(204, None)


# Formulation -----------------------------------------------------------------------------


@router.get(
    "/courses/{course_id}/formulation/suggestions",
    response=responses(list[SuggestionOut]),
    summary="Problem areas that may fit, most likely first (decision support)",
    description=(
        "Suggestions from the inventory, the timeline and the symptom onset, worded as "
        "'may fit'. Each lists its reasons, the facts it used and the source tags. The "
        "therapist chooses the focus (PUT /courses/{id}/focus)."
    ),
)
def get_suggestions(request: HttpRequest, course_id: int):
    course = get_course_for_user(request, course_id)
    return [
        {
            "area": s.area,
            "label": s.label,
            "strength": s.strength,
            "reasons": s.reasons,
            "facts": [
                {"ref": ref, "kind": used.kind, "text": used.text}
                for ref, used in zip(s.facts, s.used, strict=True)
            ],
            "sources": s.sources,
        }
        for s in suggestions_for(course)
    ]


def _formulation_out(course_id: int, formulation: Formulation | None) -> dict:
    if formulation is None:
        return {"course_id": course_id, "text": "", "area": None, "shared_on": None,
                "client_response": "", "updated_at": None}  # fmt: skip
    return {
        "course_id": course_id,
        "text": formulation.text,
        "area": formulation.area or None,
        "shared_on": formulation.shared_on,
        "client_response": formulation.client_response,
        "updated_at": formulation.updated_at,
    }


@router.get(
    "/courses/{course_id}/formulation",
    response=responses(FormulationOut),
    summary="Read the formulation (empty until one is written)",
)
def get_formulation(request: HttpRequest, course_id: int):
    course = get_course_for_user(request, course_id)
    return _formulation_out(course.pk, Formulation.objects.filter(course=course).first())


@router.put(
    "/courses/{course_id}/formulation",
    response=responses(FormulationOut),
    summary="Save the formulation text, its area, when it was shared and the response",
)
def put_formulation(request: HttpRequest, course_id: int, payload: FormulationIn):
    course = get_course_for_user(request, course_id, write=True)
    fields = payload.model_dump()
    fields["area"] = fields["area"] or ""
    return _formulation_out(course.pk, services.save_formulation(request.user, course, **fields))
