"""The demo courses: one per phase, built through the services, loaded once."""

from __future__ import annotations

import pytest

from openipt.courses.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    from openipt import demo
    from openipt.courses.demo import extend_demo

    monkeypatch.setattr(demo, "_extensions", lambda: [extend_demo])
    return demo.load_demo


def test_it_gives_the_demo_clients_courses_in_different_phases(demo):
    from openipt.courses.services import current_phase, next_agenda

    summary = demo()
    assert any("Courses opened for Maya Thompson" in n for n in summary.notes)
    by_name = {c.client.name: c for c in Course.objects.filter(status="active")}
    maya = by_name["Maya Thompson"]
    assert (maya.sessions_attended, current_phase(maya)) == (6, "middle")
    assert maya.foci.get().dispute_stage == "impasse" and maya.goals.count() == 3
    daniel = by_name["Daniel Osei"]
    assert (daniel.format, current_phase(daniel)) == ("brief", "initial")
    assert daniel.sessions.get(number=1).is_engagement
    priya = by_name["Priya Nair"]
    assert current_phase(priya) == "termination" and priya.termination.why_better
    assert next_agenda(priya).session_label == "Session 12 of 12"
    tom = Course.objects.get(client__name="Tom Becker", status="ended")
    follow_on = tom.followed_by.get()
    assert (follow_on.format, follow_on.sessions_attended) == ("maintenance", 3)
    assert not Course.objects.filter(client__name="Grace Kim").exists()


def test_it_loads_the_demo_courses_only_once(demo):
    demo()
    count = Course.objects.count()
    summary = demo()
    assert Course.objects.count() == count
    assert not any("Courses opened" in n for n in summary.notes)
