"""Turn stored rows into the facts of openipt.protocol and its suggestions into page data.

The rules themselves live in openipt.protocol.formulation; this module only maps rows to
PersonFact/EventFact, reads the product settings, and names the facts a suggestion used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

from openipt.courses.models import Course
from openipt.interpersonal.models import LifeEvent, Person
from openipt.protocol.facts import EventFact, FormulationSettings, PersonFact, Suggestion
from openipt.protocol.formulation import draft_formulation, suggest_areas
from openipt.protocol.problem_areas import area_label, get_area

MATCH = {"yes": True, "no": False}
STRENGTH_WORDS = {"likely": "Stronger fit", "possible": "Possible fit"}


def formulation_settings() -> FormulationSettings:
    """Return the service's formulation settings (product choices, not sourced facts)."""
    default = FormulationSettings()
    rings = getattr(settings, "OPENIPT_FORMULATION_CLOSE_RINGS", default.close_rings)
    return FormulationSettings(
        proximity_days=int(
            getattr(settings, "OPENIPT_FORMULATION_PROXIMITY_DAYS", default.proximity_days)
        ),
        close_rings=tuple(int(r) for r in rings),
        few_close_max=int(
            getattr(settings, "OPENIPT_FORMULATION_FEW_CLOSE_MAX", default.few_close_max)
        ),
    )


def person_fact(person: Person) -> PersonFact:
    """Return the protocol's view of a person in the inventory."""
    return PersonFact(
        id=str(person.pk),
        label=person.label,
        ring=person.ring,
        status=person.status,
        conflict=person.conflict,
        expectations_match=MATCH.get(person.expectations_match),
        support=person.support or None,
    )


def event_fact(event: LifeEvent) -> EventFact:
    """Return the protocol's view of a life event."""
    return EventFact(
        date=event.date,
        kind=event.kind,
        person_id=str(event.person_id) if event.person_id else None,
        description=event.description,
    )


@dataclass(frozen=True)
class UsedFact:
    """A fact a suggestion used, in words, with its kind ("person" or "event")."""

    kind: str
    text: str


@dataclass(frozen=True)
class SuggestionView:
    """A suggestion ready for a page or the API: labels and facts in words."""

    area: str
    label: str
    strength: str
    strength_label: str
    reasons: list[str]
    facts: list[str]
    used: list[UsedFact]
    sources: list[str]
    prognosis: str


def course_facts(course: Course) -> tuple[list[Person], list[LifeEvent]]:
    """Return the course's people and events in a fixed order (two queries)."""
    people = list(Person.objects.filter(course=course).order_by("ring", "label", "id"))
    events = list(
        LifeEvent.objects.filter(course=course).select_related("person").order_by("date", "id")
    )
    return people, events


def suggestions_for(
    course: Course,
    people: Sequence[Person] | None = None,
    events: Sequence[LifeEvent] | None = None,
) -> list[SuggestionView]:
    """Return the areas that may fit this course, most likely first."""
    if people is None or events is None:
        people, events = course_facts(course)
    found = suggest_areas(
        [person_fact(p) for p in people],
        [event_fact(e) for e in events],
        course.symptom_onset,
        formulation_settings(),
    )
    return [_view(s, people, events) for s in found]


def _view(s: Suggestion, people: Sequence[Person], events: Sequence[LifeEvent]) -> SuggestionView:
    by_person = {str(p.pk): p for p in people}
    used = [_describe_fact(ref, by_person) for ref in s.facts]
    prognosis = get_area(s.area).prognosis
    return SuggestionView(
        area=str(s.area),
        label=display_area(str(s.area)),
        strength=str(s.strength),
        strength_label=STRENGTH_WORDS[str(s.strength)],
        reasons=list(s.reasons),
        facts=list(s.facts),
        used=used,
        sources=list(s.sources),
        prognosis=" ".join(prognosis.text.split()) if prognosis else "",
    )


def _describe_fact(ref: str, by_person: dict[str, Person]) -> UsedFact:
    """Return a fact reference ("person:7", "event:2024-04-10:death:7") in words."""
    kind, _, rest = ref.partition(":")
    if kind == "person":
        person = by_person.get(rest)
        return UsedFact("person", person_words(person) if person else "A person")
    date, _, tail = rest.partition(":")
    event_kind, _, person_id = tail.partition(":")
    label = LifeEvent.Kind(event_kind).label if event_kind in LifeEvent.Kind.values else tail
    who = by_person.get(person_id)
    text = f"{label} on {date}" + (f" ({who.label})" if who else "")
    return UsedFact("event", text)


def person_words(person: Person) -> str:
    """Return a person and what the rules read about them, in one line."""
    parts = [f"ring {person.ring}", person.get_status_display().lower()]
    if person.conflict != Person.Conflict.NONE:
        parts.append(f"{person.conflict} conflict")
    if person.expectations_match == Person.Match.NO:
        parts.append("expectations do not match")
    if person.support:
        parts.append(f"support: {person.get_support_display().lower()}")
    return f"{person.label} ({', '.join(parts)})"


def display_area(code: str) -> str:
    """Return the area's label in the service's naming scheme (canonical when it lacks one)."""
    scheme = getattr(settings, "OPENIPT_PROBLEM_AREA_NAMING", "canonical")
    return area_label(code, scheme) or area_label(code, "canonical") or code


def draft_for(
    course: Course,
    area: str,
    people: Iterable[Person],
    events: Iterable[LifeEvent],
    dispute_stage: str | None = None,
) -> str:
    """Return the protocol's plain-language draft formulation for this course and area."""
    first_name = (course.client.name or "").split()
    return draft_formulation(
        area,
        [event_fact(e) for e in events],
        [person_fact(p) for p in people],
        first_name[0] if first_name else None,
        dispute_stage=dispute_stage or None,
    )


def timing_words(date: dt.date, onset: dt.date | None) -> str:
    """Return where a date sits against symptom onset, in words."""
    if onset is None:
        return ""
    days = (date - onset).days
    if days == 0:
        return "At onset"
    unit = "day" if abs(days) == 1 else "days"
    return f"{abs(days)} {unit} {'before' if days < 0 else 'after'} onset"
