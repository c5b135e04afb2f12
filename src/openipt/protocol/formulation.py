"""Decision support for choosing a problem area and drafting a formulation.

Suggestions follow the selection rules of ipt.md §4.0 and are worded as "may fit": the
therapist chooses the focus [S1]. The link between events and onset is used pragmatically,
not as a claim about causes [S148].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .errors import ProtocolError
from .facts import (
    TRANSITION_KINDS,
    Conflict,
    EventFact,
    EventKind,
    FormulationSettings,
    PersonFact,
    PersonStatus,
    Strength,
    Suggestion,
    Support,
)
from .problem_areas import AreaCode, get_area
from .problem_areas import dispute_stage as get_dispute_stage

_AREA_ORDER = tuple(AreaCode)

__all__ = [
    "Conflict",
    "EventFact",
    "EventKind",
    "FormulationSettings",
    "PersonFact",
    "PersonStatus",
    "Strength",
    "Suggestion",
    "Support",
    "draft_formulation",
    "suggest_areas",
]


def suggest_areas(
    people: Sequence[PersonFact],
    events: Sequence[EventFact],
    onset: dt.date | None,
    settings: FormulationSettings | None = None,
) -> list[Suggestion]:
    """Return the areas that may fit, most likely first, with stable tie-breaks.

    Rank by strength, then by the number of supporting facts, then by the canonical order
    of the areas. Deficits is suggested only when nothing else is [S46].
    """
    settings = settings or FormulationSettings()
    by_id = _index_people(people)
    ordered_people = sorted(people, key=lambda p: (p.ring, p.id))
    ordered_events = sorted(
        events, key=lambda e: (e.date, str(e.kind), e.person_id or "", e.description)
    )
    found = [
        s
        for s in (
            _grief(ordered_people, ordered_events, by_id, onset, settings),
            _dispute(ordered_people, ordered_events, by_id),
            _transition(ordered_events, by_id, onset, settings),
        )
        if s is not None
    ]
    if not found:
        deficits = _deficits(ordered_people, settings)
        return [deficits] if deficits else []
    _note_dispute_and_transition(found)
    return sorted(found, key=_rank)


def _rank(s: Suggestion) -> tuple[int, int, int]:
    strength = 0 if s.strength is Strength.LIKELY else 1
    return strength, -len(s.facts), _AREA_ORDER.index(s.area)


def _index_people(people: Sequence[PersonFact]) -> dict[str, PersonFact]:
    by_id: dict[str, PersonFact] = {}
    for person in people:
        if person.id in by_id:
            raise ProtocolError(f"Person id '{person.id}' is used twice.", code="duplicate_person")
        by_id[person.id] = person
    return by_id


def _timing(date: dt.date, onset: dt.date | None, settings: FormulationSettings) -> str | None:
    """Describe an event's timing against onset; None when it is outside the window [S2]."""
    if onset is None:
        return "symptom onset date not recorded"
    days = (date - onset).days
    if abs(days) > settings.proximity_days:
        return None
    if days == 0:
        return "at symptom onset"
    return f"{abs(days)} days {'before' if days < 0 else 'after'} symptom onset"


def _name(person_id: str | None, by_id: dict[str, PersonFact]) -> str:
    person = by_id.get(person_id or "")
    return person.label if person else "someone not in the inventory"


def _build(
    area: AreaCode, likely: bool, reasons: list[str], facts: list[str], sources: list[str]
) -> Suggestion:
    strength = Strength.LIKELY if likely else Strength.POSSIBLE
    return Suggestion(area, strength, reasons, list(dict.fromkeys(facts)), sources)


def _grief(
    people: list[PersonFact],
    events: list[EventFact],
    by_id: dict[str, PersonFact],
    onset: dt.date | None,
    settings: FormulationSettings,
) -> Suggestion | None:
    """Suggest grief for the death of a close person near onset [S1], [S2]."""
    reasons: list[str] = []
    facts: list[str] = []
    likely = False
    dated = {e.person_id for e in events if e.kind is EventKind.DEATH and e.person_id}
    for event in (e for e in events if e.kind is EventKind.DEATH):
        person = by_id.get(event.person_id or "")
        close = person is not None and (
            person.ring in settings.close_rings or person.status is PersonStatus.DECEASED
        )
        timing = _timing(event.date, onset, settings)
        if timing is None or (person is not None and not close):
            continue
        if person is not None:
            facts.append(f"person:{person.id}")
        facts.append(event.ref)
        likely = likely or (close and onset is not None)
        who = _name(event.person_id, by_id)
        reasons.append(f"Death of {who} on {event.date.isoformat()} ({timing}): grief may fit.")
    for person in people:
        close = person.ring in settings.close_rings
        if person.status is PersonStatus.DECEASED and close and person.id not in dated:
            facts.append(f"person:{person.id}")
            reasons.append(
                f"{person.label} has died: grief may fit. The death is not on the timeline; "
                "add its date to see whether it is near symptom onset."
            )
    if not reasons:
        return None
    return _build(AreaCode.GRIEF, likely, reasons, facts, ["S1", "S2"])


def _dispute(
    people: list[PersonFact], events: list[EventFact], by_id: dict[str, PersonFact]
) -> Suggestion | None:
    """Suggest a role dispute for conflict with non-reciprocal expectations [S1], [S44]."""
    reasons: list[str] = []
    facts: list[str] = []
    likely = False
    for person in people:
        if person.status is PersonStatus.DECEASED:
            continue
        conflict = person.conflict is not Conflict.NONE
        mismatch = person.expectations_match is False
        if not (conflict or mismatch):
            continue
        if conflict and person.expectations_match is True:
            continue
        likely = likely or (conflict and mismatch)
        facts.append(f"person:{person.id}")
        reasons.append(_dispute_reason(person, conflict, mismatch))
    for event in (e for e in events if e.kind is EventKind.CONFLICT):
        other = by_id.get(event.person_id or "")
        if other is not None and (
            other.status is PersonStatus.DECEASED or other.expectations_match is True
        ):
            continue
        likely = likely or (other is not None and other.expectations_match is False)
        facts.append(event.ref)
        who = _name(event.person_id, by_id)
        reasons.append(f"Conflict with {who} on {event.date.isoformat()}: a role dispute may fit.")
    if not reasons:
        return None
    reasons.append("If a dispute fits, establish its stage: renegotiation, impasse or dissolution.")
    return _build(AreaCode.ROLE_DISPUTE, likely, reasons, facts, ["S1", "S44"])


def _dispute_reason(person: PersonFact, conflict: bool, mismatch: bool) -> str:
    if conflict and mismatch:
        return (
            f"{str(person.conflict).capitalize()} conflict with {person.label} and expectations "
            "that do not match: a role dispute may fit."
        )
    if conflict:
        return (
            f"{str(person.conflict).capitalize()} conflict with {person.label}: ask whether "
            "your expectations of each other match; a role dispute may fit."
        )
    return f"Expectations with {person.label} do not match: a role dispute may fit."


def _transition(
    events: list[EventFact],
    by_id: dict[str, PersonFact],
    onset: dt.date | None,
    settings: FormulationSettings,
) -> Suggestion | None:
    """Suggest a role transition for a life change near onset [S1], [S45]."""
    reasons: list[str] = []
    facts: list[str] = []
    for event in (e for e in events if e.kind in TRANSITION_KINDS):
        timing = _timing(event.date, onset, settings)
        if timing is None:
            continue
        facts.append(event.ref)
        what = event.description or str(event.kind).replace("_", " ")
        reasons.append(
            f"Life change ({what}) on {event.date.isoformat()} ({timing}): a role transition "
            "may fit."
        )
        if event.kind is EventKind.SEPARATION and event.person_id in by_id:
            person = by_id[event.person_id]
            if person.conflict is not Conflict.NONE:
                reasons.append(
                    f"The separation from {person.label} came with conflict: a role dispute "
                    "may fit instead."
                )
    if not reasons:
        return None
    return _build(AreaCode.ROLE_TRANSITION, onset is not None, reasons, facts, ["S1", "S45"])


def _deficits(people: list[PersonFact], settings: FormulationSettings) -> Suggestion | None:
    """Suggest deficits only when nothing else fits and close ties are few [S46].

    An empty inventory suggests nothing: it means the inventory is not done yet.
    """
    if not people:
        return None
    close = [
        p
        for p in people
        if p.ring in settings.close_rings
        and p.status is PersonStatus.PRESENT
        and p.support is not Support.NONE
    ]
    if len(close) > settings.few_close_max:
        return None
    reasons = [
        f"{len(close)} close supportive relationship{'s' if len(close) != 1 else ''} recorded "
        "and no recent death, dispute or life change: interpersonal deficits may fit, as a "
        "last choice.",
    ]
    prognosis = get_area(AreaCode.INTERPERSONAL_DEFICITS).prognosis
    if prognosis is not None:
        reasons.append(prognosis.text)
    facts = [f"person:{p.id}" for p in close]
    return _build(AreaCode.INTERPERSONAL_DEFICITS, False, reasons, facts, ["S46"])


def _note_dispute_and_transition(found: list[Suggestion]) -> None:
    """Add the one-focus reminder when both a dispute and a transition appear [S43]."""
    areas = {s.area for s in found}
    if {AreaCode.ROLE_DISPUTE, AreaCode.ROLE_TRANSITION} <= areas:
        for suggestion in found:
            if suggestion.area in (AreaCode.ROLE_DISPUTE, AreaCode.ROLE_TRANSITION):
                suggestion.reasons.append(
                    "A role dispute and a role transition both seem present: focus on only one."
                )
                suggestion.sources.append("S43")


def draft_formulation(
    area: str,
    events: Sequence[EventFact],
    people: Sequence[PersonFact],
    client_name_or_none: str | None,
    dispute_stage: str | None = None,
) -> str:
    """Return a plain-language draft formulation for the therapist to edit and share.

    It ties the mood to the interpersonal context and one problem area [S3], [S56], presents
    depression as a treatable illness that is not the client's fault [S2], [S134], and links
    events to mood without claiming a cause [S148].
    """
    chosen = get_area(area)
    by_id = _index_people(people)
    paragraphs = []
    if client_name_or_none and client_name_or_none.strip():
        paragraphs.append(f"Draft formulation for {client_name_or_none.strip()}.")
    paragraphs.append(
        "You have been feeling low. Depression is a treatable illness, and it is not your fault."
    )
    context = _context(chosen.code, events, people, by_id)
    if context:
        paragraphs.append(
            f"Your low mood seems to be linked in time with {context}. This does not say what "
            "caused the depression; it links how you feel with what is happening in your "
            "relationships."
        )
    else:
        paragraphs.append(
            "We have not yet linked your mood with particular events; we will look at this "
            "together."
        )
    paragraphs.append(" ".join(chosen.client_explanation.text.split()))
    if chosen.code is AreaCode.ROLE_DISPUTE:
        paragraphs.append(_stage_sentence(dispute_stage))
    paragraphs.append(
        "This is a first draft for us to talk about: tell me what fits and what does not, and "
        "we will change it together."
    )
    return "\n\n".join(paragraphs)


def _stage_sentence(stage: str | None) -> str:
    if stage is None:
        return "First we will agree together where things stand in the disagreement."
    label = _stage_label(stage)
    return f"For now, the disagreement seems to be at the {label.lower()} stage."


def _stage_label(stage: str) -> str:
    return get_dispute_stage(stage).label


def _context(
    area: AreaCode,
    events: Sequence[EventFact],
    people: Sequence[PersonFact],
    by_id: dict[str, PersonFact],
) -> str:
    """Return the interpersonal context for the chosen area, or "" when none is recorded."""
    ordered = sorted(events, key=lambda e: (e.date, str(e.kind), e.person_id or ""))
    if area is AreaCode.GRIEF:
        items = [
            f"the death of {_name(e.person_id, by_id)} ({e.date.isoformat()})"
            for e in ordered
            if e.kind is EventKind.DEATH
        ]
    elif area is AreaCode.ROLE_DISPUTE:
        items = [
            f"difficulties with {p.label}"
            for p in sorted(people, key=lambda p: (p.ring, p.id))
            if p.status is not PersonStatus.DECEASED
            and (p.conflict is not Conflict.NONE or p.expectations_match is False)
        ]
    elif area is AreaCode.ROLE_TRANSITION:
        items = [
            f"{e.description or str(e.kind).replace('_', ' ')} ({e.date.isoformat()})"
            for e in ordered
            if e.kind in TRANSITION_KINDS
        ]
    else:
        items = ["having few people close to you"]
    return _join(items)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
