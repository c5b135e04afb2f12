"""`openipt group show ID` and `openipt group costs`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openipt.audit.models import AccessEvent
from openipt.cli import app
from openipt.groups.models import ProgrammeCost
from openipt.groups.sessions import Row, record_group_session
from tests.factories import enrol_screened, make_group, make_group_staff, today

pytestmark = pytest.mark.django_db


def test_it_shows_a_group_with_its_outcomes_and_audits_the_read(cast):
    boss, fay, _ = make_group_staff()
    group = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay])
    member = enrol_screened(
        group=group, name="Lena", total=15, screened_on=today(), pre_group_on=today()
    )
    record_group_session(fay, group, held_on=today(), rows=[Row(member.pk, "present")])
    result = CliRunner().invoke(app, ["group", "show", str(group.pk)])
    assert result.exit_code == 0, result.output
    assert "Group A" in result.output and "Lena" in result.output and "1/1" in result.output
    assert "Sessions held: 1 of 8" in result.output
    assert "Attended at least one session" in result.output
    assert AccessEvent.objects.filter(object_type="group", action="cli").count() == 1


def test_it_says_when_there_is_no_such_group(db):
    result = CliRunner().invoke(app, ["group", "show", "999"])
    assert result.exit_code == 1 and "No group with id 999." in result.output


def test_it_sets_a_programmes_cost_inputs(db):
    result = CliRunner().invoke(
        app, ["group", "costs", "who_8", "--hourly", "4.50", "--other", "30"]
    )
    assert result.exit_code == 0, result.output
    costs = ProgrammeCost.objects.get(programme="who_8")
    assert (str(costs.hourly_cost), str(costs.other_cost_per_group)) == ("4.50", "30.00")
    bad = CliRunner().invoke(app, ["group", "costs", "nope", "--hourly", "1"])
    assert bad.exit_code == 1 and "Unknown group programme" in bad.output
