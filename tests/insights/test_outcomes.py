"""The outcome report on hand-built courses: every class counted once, edge cases exact."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from openipt.insights.outcomes import Filters, check_filters, report, suppress
from tests.factories import make_client, make_course_row, make_finished_row

pytestmark = pytest.mark.django_db

FEB = datetime.date(2026, 2, 10)
JAN = datetime.date(2026, 1, 20)
PERIOD = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 2, 28)}
RECOVERED = {
    "caseness": True, "recovered": True, "reliably_improved": True,
    "reliably_recovered": True, "reliably_deteriorated": False,
    "responded": True, "remitted": True, "phq9_first": 18, "phq9_last": 4,
    "gad7_first": 12, "gad7_last": 3,
}  # fmt: skip
NOT_RECOVERED = {
    "caseness": True, "recovered": False, "reliably_improved": False,
    "reliably_recovered": False, "reliably_deteriorated": False,
    "responded": False, "remitted": False,
}  # fmt: skip


@pytest.fixture
def service(team):
    """Courses ending in February 2026 (one in January), one of each kind that matters."""
    t, c = team.therapist, team.colleague
    made = {
        "recovered": make_finished_row(
            therapist=t, ended_on=FEB, primary_area="grief", **RECOVERED
        ),
        # One score only: at caseness, but no class needs a pair can be worked out.
        "one_score": make_finished_row(
            therapist=t,
            ended_on=FEB,
            primary_area="grief",
            caseness=True,
            phq9_first=15,
            phq9_last=None,
        ),
        # No GAD-7 at all: the PHQ-9 alone decides.
        "no_gad7": make_finished_row(
            therapist=t,
            ended_on=FEB,
            format="brief",
            primary_area="role_dispute",
            **NOT_RECOVERED | {"reliably_improved": True, "phq9_first": 14, "phq9_last": 7},
        ),
        "not_caseness": make_finished_row(
            therapist=c,
            ended_on=FEB,
            caseness=False,
            reliably_improved=False,
            reliably_deteriorated=False,
            responded=False,
            remitted=False,
            phq9_first=6,
            phq9_last=5,
        ),
        "deteriorated": make_finished_row(
            therapist=c,
            ended_on=FEB,
            format="brief",
            **NOT_RECOVERED | {"reliably_deteriorated": True, "phq9_first": 11, "phq9_last": 19},
        ),
        # Ended after one session: an ending, not a finished course.
        "one_session": make_course_row(
            therapist=t,
            status="ended",
            ended_on=FEB,
            started_on=datetime.date(2025, 12, 1),
            finished=False,
            sessions_attended=1,
            caseness=True,
        ),
        "discontinued": make_finished_row(
            therapist=c, ended_on=FEB, status="discontinued", **NOT_RECOVERED
        ),
        "january": make_finished_row(
            therapist=t, ended_on=JAN, started_on=datetime.date(2025, 11, 3), **RECOVERED
        ),
        # Still open: started in the period, counted nowhere else.
        "open": make_course_row(
            therapist=t, started_on=FEB, phq9_first=20, caseness=True, recovered=None
        ),
    }
    return made


def run(**changes):
    from openipt.clients.models import Client
    from openipt.courses.models import Course

    return report(Filters(**(PERIOD | changes)), Course.objects.all(), Client.objects.all())


def month(found, key):
    return next(row for row in found["rows"] if row["key"] == key)


def test_it_counts_endings_finished_and_caseness_once_each(service):
    feb = month(run(), "2026-02")
    assert (feb["ended"], feb["finished"], feb["at_caseness"]) == (7, 6, 5)
    jan = month(run(), "2026-01")
    assert (jan["ended"], jan["finished"], jan["at_caseness"]) == (1, 1, 1)


def test_it_leaves_a_course_with_one_score_out_of_the_rates_only(service):
    feb = month(run(), "2026-02")
    # At caseness: recovered, one_score, no_gad7, deteriorated, discontinued. One score has
    # no recovery class, so the recovery rate is over the other four.
    assert (feb["recovery"], feb["recovery_n"], feb["recovery_pct"]) == (1, 4, 25.0)
    assert (feb["reliable_improvement"], feb["reliable_improvement_n"]) == (2, 4)
    assert (feb["reliable_recovery"], feb["reliable_recovery_n"]) == (1, 4)
    assert (feb["reliable_deterioration"], feb["reliable_deterioration_n"]) == (1, 4)
    assert (feb["response"], feb["remission"], feb["remission_n"]) == (1, 1, 4)


def test_it_counts_a_course_without_gad7_by_its_phq9(service):
    found = run(group="format")
    brief = next(row for row in found["rows"] if row["key"] == "brief")
    assert brief["label"] == "Brief IPT (IPT-B)"
    assert (brief["at_caseness"], brief["reliable_improvement"], brief["recovery"]) == (2, 1, 0)


def test_it_keeps_an_open_course_out_of_endings_and_rates(service):
    feb = month(run(), "2026-02")
    assert feb["started"] == 1  # only the open course started in February
    total = run()["total"]
    assert total["ended"] == 8
    assert total["started"] == 1


def test_it_leaves_courses_not_at_caseness_out_of_every_rate(service):
    found = run(group="therapist")
    colleague = next(row for row in found["rows"] if row["label"] == "Colleague Cai")
    # not_caseness, deteriorated and discontinued ended; two were at caseness.
    assert (colleague["finished"], colleague["at_caseness"]) == (3, 2)
    assert colleague["reliable_deterioration"] == 1
    assert colleague["reliable_deterioration_pct"] == 50.0


@pytest.mark.parametrize("group", ["month", "therapist", "format", "area"])
def test_it_adds_every_grouping_up_to_the_same_totals(service, group):
    from openipt.courses.models import Course

    found = run(group=group)
    in_period = Course.objects.filter(ended_on__gte=PERIOD["start"], ended_on__lte=PERIOD["end"])
    assert found["total"]["ended"] == in_period.count()
    assert found["total"]["finished"] == in_period.filter(finished=True).count()
    for name in ("ended", "finished", "at_caseness", "recovery", "recovery_n"):
        assert sum(row[name] for row in found["rows"]) == found["total"][name], name


def test_it_groups_areas_including_courses_without_one(service):
    found = run(group="area")
    labels = {row["key"]: row["label"] for row in found["rows"]}
    assert labels["grief"] == "Grief"
    assert labels[""] == "Not recorded"
    assert next(r for r in found["rows"] if r["key"] == "grief")["ended"] == 2


def test_it_fills_every_month_of_the_period(service):
    found = run(start=datetime.date(2025, 12, 1))
    assert [row["key"] for row in found["rows"]] == ["2025-12", "2026-01", "2026-02"]
    assert month(found, "2025-12")["ended"] == 0
    assert month(found, "2025-12")["recovery_pct"] is None


def test_it_counts_referrals_by_the_month_the_client_was_added(service, team):
    from django.utils import timezone

    from openipt.clients.models import Client

    when = timezone.make_aware(datetime.datetime(2026, 1, 31, 23, 30))
    Client.objects.filter(courses__in=[service["january"], service["open"]]).update(created_at=when)
    found = run()
    assert month(found, "2026-01")["referrals"] == 2
    assert month(found, "2026-02")["referrals"] == 0
    by_format = run(group="format")
    assert by_format["total"]["referrals"] is None  # clients have no format


def test_it_counts_referrals_in_local_months_and_only_inside_a_mid_month_period(team):
    """Europe/London: 23:30 UTC on 31 May is 00:30 on 1 June (summer time), so June."""
    from django.utils import timezone

    from openipt.clients.models import Client

    utc = datetime.UTC
    stamps = {
        "May 9 (before the period)": datetime.datetime(2026, 5, 9, 12, tzinfo=utc),
        "May 10 (first day)": datetime.datetime(2026, 5, 10, 8, tzinfo=utc),
        "31 May 23:30 UTC = 1 June local": datetime.datetime(2026, 5, 31, 23, 30, tzinfo=utc),
        "July 20 (last day)": datetime.datetime(2026, 7, 20, 22, 59, tzinfo=utc),
        "July 20 23:30 UTC = 21 July local (after)": datetime.datetime(
            2026, 7, 20, 23, 30, tzinfo=utc
        ),
    }
    for label, stamp in stamps.items():
        made = make_client(therapist=team.therapist, name=label)
        Client.objects.filter(pk=made.pk).update(created_at=stamp)
    with timezone.override("Europe/London"):
        found = run(start=datetime.date(2026, 5, 10), end=datetime.date(2026, 7, 20))
    assert [row["key"] for row in found["rows"]] == ["2026-05", "2026-06", "2026-07"]
    assert [row["referrals"] for row in found["rows"]] == [1, 1, 1]


def test_it_adds_the_days_and_statuses_of_a_month_together(team):
    for day, status in ((3, "ended"), (17, "ended"), (17, "discontinued"), (28, "discontinued")):
        make_finished_row(
            therapist=team.therapist,
            ended_on=datetime.date(2026, 2, day),
            status=status,
            **RECOVERED,
        )
    found = run()
    assert month(found, "2026-02")["ended"] == 4
    assert month(found, "2026-02")["recovery"] == 4


def test_it_filters_by_therapist_format_and_area(service, team):
    assert run(therapist=team.colleague.pk)["total"]["ended"] == 3
    assert run(format="brief")["total"]["ended"] == 2
    assert run(area="grief")["total"]["ended"] == 2


def test_it_refuses_filters_that_make_no_sense():
    with pytest.raises(ValidationError) as error:
        check_filters(Filters(start=datetime.date(2026, 2, 1), end=datetime.date(2026, 1, 1)))
    assert "end" in error.value.error_dict
    too_long = Filters(start=datetime.date(2000, 1, 1), end=datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        check_filters(too_long)
    for bad in ({"group": "week"}, {"format": "yoga"}, {"area": "money"}):
        with pytest.raises(ValidationError):
            check_filters(Filters(**(PERIOD | bad)))


def test_it_hides_small_counts_and_the_rates_they_would_reveal():
    row = {
        "key": "x", "label": "x", "referrals": None, "started": 3, "ended": 12,
        "finished": 10, "at_caseness": 10, "suppressed": [],
    }  # fmt: skip
    rates = {
        "recovery": (6, 12), "reliable_improvement": (8, 10), "reliable_recovery": (2, 10),
        "reliable_deterioration": (0, 10), "response": (3, 4), "remission": (5, 10),
    }  # fmt: skip
    for name, (yes, whole) in rates.items():
        row |= {name: yes, f"{name}_n": whole, f"{name}_pct": 100 * yes / whole}
    hidden = suppress(row, 5)
    assert hidden["started"] is None and "started" in hidden["suppressed"]
    assert hidden["referrals"] is None and "referrals" not in hidden["suppressed"]
    assert hidden["ended"] == 12
    assert hidden["recovery_pct"] == 50.0
    assert hidden["reliable_improvement"] is None  # 2 without it would be revealed
    assert hidden["reliable_improvement_pct"] is None
    assert hidden["reliable_recovery"] is None and hidden["reliable_recovery_pct"] is None
    assert hidden["reliable_deterioration_pct"] == 0.0  # zero identifies no one
    assert hidden["response_n"] is None and hidden["response_pct"] is None
    assert hidden["remission_pct"] == 50.0
    assert suppress(row, 1) == row | {"suppressed": []}


def test_it_suppresses_inside_the_report(service):
    from openipt.clients.models import Client
    from openipt.courses.models import Course

    found = report(Filters(**PERIOD), Course.objects.all(), Client.objects.all(), min_cell=5)
    jan = month(found, "2026-01")
    assert jan["ended"] is None and "ended" in jan["suppressed"]
    assert month(found, "2026-02")["ended"] == 7
    assert found["min_cell"] == 5
