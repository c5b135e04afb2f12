"""A maintenance course starts from the acute course's inventory, timeline, focus, goals and
relapse-prevention plan."""

from __future__ import annotations

import pytest

from openipt.courses import services
from openipt.courses.models import Course
from openipt.interpersonal import services as inventory
from tests.factories import choose_grief_focus, run_sessions, today

pytestmark = pytest.mark.django_db


def test_it_carries_the_acute_record_over_to_maintenance(cast, course):
    therapist = cast.therapist
    run_sessions(actor=therapist, course=course, count=3)
    choose_grief_focus(actor=therapist, course=course)
    services.set_goals(
        therapist, course, [{"text": "Keep the Sunday calls", "after_treatment": True}]
    )
    mother = inventory.add_person(therapist, course, label="Mother", ring=1)
    inventory.add_event(
        therapist, course, date=today(), kind="death", person=mother, description="Died in May"
    )
    ending = services.record_termination(
        therapist,
        course,
        warning_signs="Staying in bed",
        what_helps="Calling my sister",
        people_to_tell="Ana",
        whom_to_contact="The service",
        maintenance_discussed=True,
        decision="maintenance_contract",
        maintenance_frequency="monthly",
        maintenance_months=6,
    )
    nxt = Course.objects.get(pk=ending.follow_on.pk)
    people = list(nxt.people.all())
    assert [p.label for p in people] == ["Mother"] and people[0].pk != mother.pk
    events = list(nxt.life_events.select_related("person"))
    assert [(e.description, e.person) for e in events] == [("Died in May", people[0])]
    assert [f.area for f in nxt.foci.filter(replaced_at__isnull=True)] == ["grief"]
    assert [g.text for g in nxt.goals.all()] == ["Keep the Sunday calls"]
    assert nxt.relapse_plan.warning_signs == "Staying in bed"
    assert nxt.relapse_plan.whom_to_contact == "The service"
    # The acute course keeps its own rows.
    assert course.people.get().pk == mother.pk
