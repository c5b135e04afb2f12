"""The demo group: screened, enrolled and three sessions in, made once."""

from __future__ import annotations

import pytest

from openipt.groups.models import Group, ScreeningEntry

pytestmark = pytest.mark.django_db


def test_it_makes_the_demo_group_once(monkeypatch):
    from openipt import demo
    from openipt.groups.demo import GROUP_NAME, extend_demo

    monkeypatch.setattr(demo, "_extensions", lambda: [extend_demo])
    summary = demo.load_demo()
    assert "demo-facilitator" in summary.created_users
    assert any(GROUP_NAME in note for note in summary.notes)
    group = Group.objects.get(name=GROUP_NAME)
    assert (group.status, group.memberships.count(), group.sessions.count()) == ("running", 6, 3)
    assert ScreeningEntry.objects.get(name="Sarah Adong").outcome == "individual_care"
    demo.load_demo()
    assert Group.objects.filter(name=GROUP_NAME).count() == 1


def test_it_loads_with_every_other_demo_area():
    from openipt import demo
    from openipt.groups.demo import GROUP_NAME

    demo.load_demo()
    assert Group.objects.get(name=GROUP_NAME).memberships.count() == 6
