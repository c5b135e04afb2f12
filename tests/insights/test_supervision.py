"""The supervision dashboard's definitions, one list at a time, on hand-built courses."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from openipt.insights import supervision
from tests.factories import make_alert, make_course_row
from tests.insights.conftest import TODAY

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def ids(user, kind):
    return [row.pk for row in supervision.list_for(user, kind)]


def test_it_lists_open_alerts_oldest_first_for_the_team_only(team):
    mine = make_course_row(therapist=team.therapist)
    theirs = make_course_row(therapist=team.colleague)
    outside = make_course_row(therapist=team.outsider)
    now = timezone.now()
    newer = make_alert(course=mine, raised_at=now - 2 * DAY)
    older = make_alert(course=theirs, raised_at=now - 9 * DAY)
    make_alert(course=mine, raised_at=now - 20 * DAY, status="resolved")
    make_alert(course=outside, raised_at=now - 30 * DAY)
    assert ids(team.supervisor, "alerts") == [older.pk, newer.pk]
    rows = {row.therapist.pk: row for row in supervision.therapist_rows(team.supervisor)}
    assert rows[team.colleague.pk].open_alerts == 1
    assert rows[team.colleague.pk].oldest_alert_at == older.raised_at
    assert ids(team.other_supervisor, "alerts") != []
    assert older.pk not in ids(team.other_supervisor, "alerts")


def test_it_lists_active_courses_not_on_track(team):
    flagged = make_course_row(therapist=team.therapist, not_on_track=True)
    make_course_row(therapist=team.therapist, not_on_track=True, status="ended", ended_on=TODAY)
    make_course_row(therapist=team.therapist)
    assert ids(team.supervisor, "not_on_track") == [flagged.pk]


def test_it_lists_active_courses_past_their_contract(team):
    over = make_course_row(therapist=team.therapist, planned_sessions=12, sessions_attended=14)
    just_over = make_course_row(therapist=team.colleague, planned_sessions=8, sessions_attended=9)
    make_course_row(therapist=team.therapist, planned_sessions=12, sessions_attended=12)
    make_course_row(therapist=team.therapist, planned_sessions=None, sessions_attended=30)
    make_course_row(
        therapist=team.therapist,
        planned_sessions=8,
        sessions_attended=10,
        status="ended",
        ended_on=TODAY,
    )
    assert ids(team.supervisor, "past_contract") == [over.pk, just_over.pk]


def test_it_counts_a_measure_overdue_by_the_contracted_frequency(team, today):
    def due(**fields):
        return make_course_row(therapist=team.therapist, measure_due=True, **fields)

    weekly_late = due(frequency="weekly", last_session_on=today - 8 * DAY)
    due(frequency="weekly", last_session_on=today - 7 * DAY)  # the session may be today
    due(frequency="fortnightly", last_session_on=today - 10 * DAY)
    fortnightly_late = due(frequency="fortnightly", last_session_on=today - 15 * DAY)
    monthly_late = due(frequency="monthly", last_session_on=today - 40 * DAY)
    unset_late = due(frequency="", last_session_on=today - 8 * DAY)
    never_held = due(frequency="weekly", last_session_on=None, started_on=today - 20 * DAY)
    make_course_row(therapist=team.therapist, measure_due=False, last_session_on=today - 40 * DAY)
    found = set(ids(team.supervisor, "measures_overdue"))
    assert found == {weekly_late.pk, fortnightly_late.pk, monthly_late.pk, unset_late.pk,
                     never_held.pk}  # fmt: skip
    assert ids(team.supervisor, "measures_overdue")[0] == never_held.pk


def test_it_allows_grace_days_before_a_measure_is_overdue(team, today, settings):
    make_course_row(
        therapist=team.therapist,
        measure_due=True,
        frequency="weekly",
        last_session_on=today - 9 * DAY,
    )
    settings.OPENIPT_MEASURE_OVERDUE_GRACE_DAYS = 3
    assert ids(team.supervisor, "measures_overdue") == []


def test_it_lists_endings_without_a_termination_review(team):
    from openipt.courses.models import TerminationReview

    missing = make_course_row(therapist=team.therapist, status="ended", ended_on=TODAY)
    reviewed = make_course_row(therapist=team.therapist, status="ended", ended_on=TODAY)
    TerminationReview.objects.create(course=reviewed, reviewed_on=TODAY, recorded_by=team.therapist)
    make_course_row(therapist=team.therapist, status="discontinued", ended_on=TODAY)
    make_course_row(therapist=team.therapist)
    assert ids(team.supervisor, "no_review") == [missing.pk]


def _past_initial(course) -> bool:
    from openipt.courses.services import current_phase

    return current_phase(course) != "initial"


@pytest.mark.parametrize("fmt", ["standard", "brief", "ipc", "adolescent", "group_who"])
def test_it_agrees_with_the_course_engine_on_the_initial_phase(team, fmt):
    from openipt.courses.models import Course
    from openipt.protocol import get_format

    made = [
        make_course_row(
            therapist=team.therapist, format=fmt, planned_sessions=planned, sessions_attended=n
        )
        for planned in (None, 1, 2, 3, 4, 6, 12)
        for n in range(0, 6)
    ]
    sql = set(
        Course.objects.filter(supervision.past_initial_q(get_format(fmt))).values_list(
            "pk", flat=True
        )
    )
    assert sql == {course.pk for course in made if _past_initial(course)}


def test_it_shares_out_required_initial_tasks_done_past_the_initial_phase(team):
    from openipt.courses.models import TaskCompletion

    required = supervision.required_initial_tasks()
    assert "maintenance" not in required  # maintenance IPT has no initial phase
    standard = required["standard"]
    past = make_course_row(therapist=team.therapist, planned_sessions=12, sessions_attended=5)
    early = make_course_row(therapist=team.therapist, planned_sessions=12, sessions_attended=1)
    make_course_row(
        therapist=team.therapist, format="maintenance", planned_sessions=12, sessions_attended=5
    )

    def done(course, task_id):
        TaskCompletion.objects.create(
            course=course, task_id=task_id, completed_on=TODAY, recorded_by=team.therapist
        )

    for task_id in standard[:3]:
        done(past, task_id)
    done(past, "area_strategies")  # a middle-phase task: not counted
    done(early, standard[0])  # still in the initial phase: not counted
    rows = {r.therapist.pk: r for r in supervision.therapist_rows(team.supervisor)}
    row = rows[team.therapist.pk]
    assert (row.past_initial, row.tasks_expected, row.tasks_done) == (1, len(standard), 3)
    assert row.task_share == pytest.approx(3 / len(standard))
    colleague = rows[team.colleague.pk]
    assert colleague.task_share is None


def test_it_adds_the_dashboard_totals_from_every_therapist(team, today):
    make_course_row(therapist=team.therapist, not_on_track=True)
    make_course_row(therapist=team.colleague, not_on_track=True)
    make_course_row(therapist=team.outsider, not_on_track=True)
    make_course_row(therapist=team.colleague, status="ended", ended_on=today)
    board = supervision.dashboard(team.supervisor, preview=1)
    assert board.totals["not_on_track"] == 2
    assert board.totals["active"] == 2
    assert board.totals["no_review"] == 1
    assert len(board.previews["not_on_track"]) == 1
    assert board.previews["alerts"] == []
    names = [str(row.therapist) for row in board.therapists]
    assert names == ["Colleague Cai", "Therapist Tom"]


def test_it_refuses_an_unknown_list(team):
    with pytest.raises(ValueError):
        supervision.list_for(team.supervisor, "everything")
