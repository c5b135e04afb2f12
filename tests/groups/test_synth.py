"""`openipt synth --groups N` makes WHO groups through the groups services."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from openipt.cli import app
from openipt.groups.models import Group, GroupMembership, GroupSession, ScreeningEntry

pytestmark = pytest.mark.django_db


def test_it_makes_groups_with_facilitators_members_and_sessions(tmp_path):
    manifest = tmp_path / "manifest.json"
    result = CliRunner().invoke(
        app,
        ["synth", "--courses", "8", "--seed", "6", "--today", "2026-03-16", "--groups", "2",
         "--manifest", str(manifest)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Made 2 groups with 4 facilitators." in result.output
    written = json.loads(manifest.read_text())
    assert len(written["groups"]) == 2 and len(written["usernames"]["facilitators"]) == 4
    assert Group.objects.count() == 2
    excluded = ScreeningEntry.objects.filter(outcome="individual_care")
    assert excluded.count() == 2 and not excluded.filter(client__isnull=False).exists()
    assert GroupMembership.objects.count() == 16
    assert GroupSession.objects.exists()
    for group in Group.objects.all():
        assert all(f.supervisor_id == group.supervisor_id for f in group.facilitators.all())
    from bench.measure import group_pages

    timed = group_pages(written, repeat=2)
    assert timed["groups"] == 2
    assert timed["group_session_page_queries"] <= 15
    assert timed["programme_dashboard_queries"] <= 15
