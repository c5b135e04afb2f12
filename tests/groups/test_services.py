"""The group services end to end: screening, enrolment, sessions, alerts, outcomes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openipt.assessments.models import Alert
from openipt.courses.models import Course
from openipt.groups import reports
from openipt.groups.models import GroupMembership, ProgrammeCost, ScreeningEntry
from openipt.groups.services import enrol, leave_group, screen_person
from openipt.groups.sessions import Row, record_checklist, record_group_session
from tests.factories import enrol_screened, make_group, make_group_staff, phq9_answers, today
from tests.groups import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(cast):
    boss, fay, finn = make_group_staff()
    group = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay, finn])
    return group, boss, fay, finn


def day(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def run_scenario(group, facilitator) -> dict[str, GroupMembership]:
    """Screen, enrol and run the eight sessions of tests/groups/scenario.py."""
    excluded = screen_person(
        group.clinician, "who_8", name="P0", sex="female", screened_on=day(80),
        answers=phq9_answers(total=18, item9=2), exclusions=["current_suicide_plan"],
    )  # fmt: skip
    assert excluded.outcome == ScreeningEntry.Outcome.INDIVIDUAL_CARE
    members = {
        name: enrol_screened(
            group=group, name=name, total=total, screened_on=day(80), pre_group_on=day(70)
        )
        for name, total in scenario.BASELINES.items()
    }
    for number in range(1, 9):
        held = day(64 - 7 * number)
        if number == scenario.LEAVES_BEFORE:
            leave_group(
                facilitator, members[scenario.LEAVER], left_on=held, reason="chose_to_leave"
            )
        rows = []
        for name, member in members.items():
            member.refresh_from_db()
            if member.left_on is not None:
                continue
            answers = None
            if number == 8 and name in scenario.ENDS:
                answers = phq9_answers(total=scenario.ENDS[name])
            if number == scenario.RISK_SESSION and name == scenario.RISK_MEMBER:
                answers = phq9_answers(total=scenario.RISK_TOTAL, item9=2)
            present = scenario.status(name, number) == "present"
            rows.append(
                Row(
                    membership_id=member.pk,
                    status=scenario.status(name, number),
                    check_in=5 if present else None,
                    answers=answers,
                )
            )
        record_group_session(facilitator, group, held_on=held, rows=rows)
    return members


def test_it_runs_the_who_group_to_the_hand_computed_outcomes(staff):
    group, _, fay, _ = staff
    ProgrammeCost.objects.create(
        programme="who_8", hourly_cost=Decimal("5.00"), other_cost_per_group=Decimal("40.00")
    )
    members = run_scenario(group, fay)
    outcomes, _ = reports.group_outcomes(group)
    expected = scenario.EXPECTED
    assert (outcomes.enrolled, outcomes.reached, outcomes.completed) == (8, 7, 6)
    assert outcomes.retention.percent() == expected["retention"]
    attendance = outcomes.attendance
    assert (str(attendance.count), str(attendance.total), attendance.percent()) == expected[
        "attendance"
    ]
    for row in outcomes.rows:
        n, measured, mean, recovery, remission = expected["rows"][row.name]
        assert (row.members, row.measured, row.mean_change_text()) == (n, measured, mean)
        assert (row.recovery.count, row.recovery.total, row.recovery.percent()) == recovery
        assert (row.remission.count, row.remission.total, row.remission.percent()) == remission
    cost = reports.group_cost(group, outcomes)
    assert cost is not None
    assert (str(cost.facilitator_hours), str(cost.total)) == expected["cost"][:2]
    assert (str(cost.per_member_reached), str(cost.per_completer)) == expected["cost"][2:]
    leaver = members[scenario.LEAVER]
    leaver.refresh_from_db()
    assert Course.objects.get(pk=leaver.course_id).status == Course.Status.DISCONTINUED


def test_it_raises_the_risk_answer_to_the_group_supervisor(staff, cast):
    group, boss, fay, _ = staff
    member = enrol_screened(
        group=group, name="Risky", total=15, screened_on=day(20), pre_group_on=day(15)
    )
    answers = phq9_answers(total=12, item9=2)
    done = record_group_session(
        fay, group, held_on=day(7), rows=[Row(member.pk, "present", answers=answers)]
    )
    assert len(done.alerts) == 1
    alert = done.alerts[0]
    assert (alert.item, alert.value, alert.status) == ("9", 2, "open")
    assert Alert.objects.visible_to(boss).filter(pk=alert.pk).exists()  # group supervisor
    assert Alert.objects.visible_to(cast.supervisor).filter(pk=alert.pk).exists()  # clinician's
    assert Alert.objects.visible_to(cast.therapist).filter(pk=alert.pk).exists()
    assert not Alert.objects.visible_to(fay).exists()  # a facilitator has no alert list
    row = done.session.rows.get()
    assert row.administration is not None and row.administration.total == 12
    # Told at once: the clinician who holds the record and the group's supervisor.
    from openipt.notify.models import Notification

    told = Notification.objects.filter(alert=alert, channel=Notification.Channel.IN_APP)
    assert {n.user for n in told} == {cast.therapist, boss}


def test_it_raises_a_facilitators_flag_as_an_alert(staff):
    group, boss, fay, _ = staff
    member = enrol_screened(
        group=group, name="F", total=15, screened_on=day(20), pre_group_on=day(15)
    )
    done = record_group_session(
        fay, group, held_on=day(7), rows=[Row(member.pk, "present", flag=True)]
    )
    assert [a.instrument for a in done.alerts] == ["facilitator_flag"]
    assert Alert.objects.visible_to(boss).open().count() == 1
    from openipt.notify.models import AlertWatch

    assert AlertWatch.objects.filter(alert=done.alerts[0]).exists()  # the clinician is told


def test_it_keeps_the_alert_when_the_session_is_refused(staff):
    group, _, fay, _ = staff
    member = enrol_screened(
        group=group, name="R", total=15, screened_on=day(20), pre_group_on=day(15)
    )
    risky = phq9_answers(total=12, item9=2)
    with pytest.raises(ValidationError):
        record_group_session(
            fay, group, held_on=day(7), rows=[Row(member.pk, "present", check_in=11, answers=risky)]
        )
    assert group.sessions.count() == 0
    kept = Alert.objects.get(course=member.course)
    assert (kept.item, kept.value, kept.status) == ("9", 2, "open")


def test_it_sends_an_exclusion_to_individual_care_whatever_the_score(cast):
    entry = screen_person(
        cast.therapist, "who_8", name="X", sex="male", screened_on=day(3),
        answers=phq9_answers(total=20), exclusions=["recent_suicide_attempt"],
    )  # fmt: skip
    assert entry.outcome == ScreeningEntry.Outcome.INDIVIDUAL_CARE
    below = screen_person(
        cast.therapist, "who_8", name="Y", sex="male", screened_on=day(3),
        answers=phq9_answers(total=9),
    )  # fmt: skip
    assert below.outcome == ScreeningEntry.Outcome.BELOW_THRESHOLD


def test_it_asks_strongminds_members_to_be_screened_twice(cast):
    first = screen_person(
        cast.therapist, "strongminds_12", name="W", sex="female", screened_on=day(10),
        answers=phq9_answers(total=14),
    )  # fmt: skip
    assert first.outcome == ScreeningEntry.Outcome.REPEAT
    second = screen_person(
        cast.therapist, "strongminds_12", name="W", sex="female", screened_on=day(3),
        answers=phq9_answers(total=13), previous=first,
    )  # fmt: skip
    assert (second.round, second.outcome) == (2, ScreeningEntry.Outcome.ELIGIBLE)


def test_it_refuses_an_excluded_person_and_a_full_or_mixed_group(staff, cast):
    group, *_ = staff
    excluded = screen_person(
        cast.therapist, "who_8", name="E", sex="female", screened_on=day(5),
        answers=phq9_answers(total=18), exclusions=["current_suicide_plan"],
    )  # fmt: skip
    with pytest.raises(ValidationError, match="eligible"):
        enrol(cast.therapist, group, excluded, problem_area="grief", pre_group_on=day(2))
    enrol_screened(group=group, name="F1", total=15, screened_on=day(5), pre_group_on=day(2))
    man = screen_person(
        cast.therapist, "who_8", name="M", sex="male", screened_on=day(5),
        answers=phq9_answers(total=15),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="single-sex"):
        enrol(cast.therapist, group, man, problem_area="grief", pre_group_on=day(2))
    group.planned_size = 1
    group.save()
    other = screen_person(
        cast.therapist, "who_8", name="F2", sex="female", screened_on=day(5),
        answers=phq9_answers(total=15),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="full"):
        enrol(cast.therapist, group, other, problem_area="grief", pre_group_on=day(2))


def test_it_refuses_a_group_outside_the_programmes_rules(cast):
    boss, fay, finn = make_group_staff()
    with pytest.raises(ValidationError) as caught:
        make_group(
            clinician=cast.therapist, supervisor=boss, facilitators=[fay, finn],
            programme="uganda_vht_12", planned_size=20,
        )  # fmt: skip
    assert "planned_size" in caught.value.message_dict
    other_boss = cast.supervisor
    with pytest.raises(ValidationError, match="not supervised"):
        make_group(clinician=cast.therapist, supervisor=other_boss, facilitators=[fay])


def test_it_lets_only_the_groups_facilitators_run_it(staff, cast):
    group, boss, fay, _ = staff
    _, stranger, _ = make_group_staff(supervisor="sup9")
    member = enrol_screened(
        group=group, name="A", total=15, screened_on=day(9), pre_group_on=day(8)
    )
    rows = [Row(member.pk, "present")]
    for who in (stranger, boss, cast.outsider):
        with pytest.raises(PermissionDenied):
            record_group_session(who, group, held_on=day(7), rows=rows)
    session = record_group_session(fay, group, held_on=day(7), rows=rows).session
    with pytest.raises(ValidationError, match="Not a task"):
        record_checklist(fay, session, ["bake_bread"])
    done = record_checklist(fay, session, ["introductions", "group_goals"])
    assert done.tasks_done == ["introductions", "group_goals"]


def test_it_refuses_a_session_without_every_member(staff):
    group, _, fay, _ = staff
    a = enrol_screened(group=group, name="A", total=15, screened_on=day(9), pre_group_on=day(8))
    enrol_screened(group=group, name="B", total=15, screened_on=day(9), pre_group_on=day(8))
    with pytest.raises(ValidationError, match="every current member"):
        record_group_session(fay, group, held_on=day(7), rows=[Row(a.pk, "present")])


def test_it_keeps_the_end_of_group_score_when_a_follow_up_comes_later(staff, cast):
    from openipt.assessments.services import record_administration
    from openipt.groups.services import end_group
    from openipt.measures import get_instrument
    from tests.factories import at

    group, _, fay, _ = staff
    member = enrol_screened(
        group=group, name="Fu", total=20, screened_on=day(60), pre_group_on=day(55)
    )
    end = phq9_answers(total=8)
    record_group_session(fay, group, held_on=day(40), rows=[Row(member.pk, "present", answers=end)])
    end_group(cast.therapist, group, day(40))
    course = member.course
    later = phq9_answers(total=2)  # the 6-month follow-up, given by the clinician
    record_administration(
        cast.therapist, course, get_instrument("phq9"), later, completed_at=at(day=day(1))
    )
    outcomes, _ = reports.group_outcomes(group)
    (only,) = outcomes.members
    assert (only.facts.baseline, only.facts.end, only.change) == (20, 8, -12)
    assert only.remission is False  # 8 at the end of the group, whatever came later
