"""Follow-up PHQ-9s after a group ends: the page, the windows, the outcomes and the API.

Hand-worked case (WHO 8, its 6-month follow-up; the group ended 200 days ago, so the
6-month window, days 138-228 after the end, is open):
  Mia  baseline 16, end 8 (session 1), follow-up 4 at day 183 -> change -12, a fall of 12 >= 8
       (recovery), 4 < 5 (remission)
  Noa  baseline 12, present at session 1 without a PHQ-9, no follow-up -> not measured
Over enrolled 2 / attended >= 1 2 / completed 2: measured 1, mean change -12.0, recovery
1/2 = 50.0 %, remission 1/2 = 50.0 %. Mia's end-of-group score stays 8.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from openipt.assessments.models import Administration, Alert
from openipt.groups import reports
from openipt.groups.services import end_group
from openipt.groups.sessions import Row, record_group_session
from tests.factories import enrol_screened, make_group, make_group_staff, phq9_answers, today

pytestmark = pytest.mark.django_db

ENDED_DAYS_AGO = 200


def day(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def items(total: int, item9: int = 0) -> dict[str, str]:
    return {f"item_{k}": str(v) for k, v in phq9_answers(total=total, item9=item9).items()}


@pytest.fixture
def ended(cast):
    boss, fay, finn = make_group_staff()
    group = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay])
    mia = enrol_screened(
        group=group, name="Mia Member", total=16, screened_on=day(260), pre_group_on=day(255)
    )
    noa = enrol_screened(
        group=group, name="Noa Member", total=12, screened_on=day(260), pre_group_on=day(255)
    )
    rows = [Row(mia.pk, "present", answers=phq9_answers(total=8)), Row(noa.pk, "present")]
    record_group_session(fay, group, held_on=day(ENDED_DAYS_AGO), rows=rows)
    end_group(cast.therapist, group, day(ENDED_DAYS_AGO))
    group.refresh_from_db()
    return group, mia, noa, boss, fay, finn


def test_it_records_a_follow_up_and_states_it_over_each_denominator(ended, cast, login):
    group, mia, noa, *_ = ended
    browser = login(cast.therapist)
    url = reverse("groups:follow_up", args=[group.pk])
    page = browser.get(url).content.decode()
    assert "Mia Member" in page and "Noa Member" in page and 'data-months="6"' in page
    assert browser.get(group.get_absolute_url()).content.decode().count(url) == 1
    post = {"member": mia.pk, "completed_on": day(ENDED_DAYS_AGO - 183).isoformat(), **items(4)}
    answer = browser.post(url, post)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Administration.objects.filter(course=mia.course, total=4).count() == 1

    outcomes, _ = reports.group_outcomes(group)
    (six,) = outcomes.follow_ups
    assert (six.window.months, six.window.first, six.window.last, six.due) == (6, 138, 228, 2)
    for row in six.rows:
        assert (row.members, row.measured, row.not_measured) == (2, 1, 1), row.name
        assert row.mean_change_text() == "-12.0"
        assert (row.recovery.count, row.recovery.total, row.recovery.percent()) == (1, 2, "50.0 %")
        assert row.remission.percent() == "50.0 %"
    by_member = {o.facts.member_id: o for o in outcomes.members}
    assert by_member[mia.pk].facts.end == 8  # the follow-up never replaces the end score
    assert by_member[noa.pk].facts.follow_ups == {}

    shown = browser.get(reverse("groups:outcomes", args=[group.pk])).content.decode()
    table = shown[shown.index('data-follow-up="6"') :]
    assert "50.0 % (1/2)" in table and "not measured: 1" in table and "-12.0" in table


def test_it_raises_the_alert_even_when_the_day_is_outside_every_window(ended, cast, login):
    group, mia, *_ = ended
    browser = login(cast.therapist)
    url = reverse("groups:follow_up", args=[group.pk])
    early = day(ENDED_DAYS_AGO - 50).isoformat()  # 50 days after the end: no point's window
    answer = browser.post(url, {"member": mia.pk, "completed_on": early, **items(10, item9=2)})
    assert answer.status_code == 400
    assert "outside every follow-up window" in answer.content.decode()
    alert = Alert.objects.get(course=mia.course, item="9")
    assert alert.status == "open" and alert.administration is None
    assert not Administration.objects.filter(course=mia.course, total=10).exists()
    # With the day corrected the same alert is kept and linked to the score.
    fixed = day(ENDED_DAYS_AGO - 180).isoformat()
    answer = browser.post(url, {"member": mia.pk, "completed_on": fixed, **items(10, item9=2)})
    assert answer.status_code == 302
    alert.refresh_from_db()
    assert alert.administration.total == 10 and Alert.objects.filter(item="9").count() == 1


def test_it_refuses_bad_input_with_a_clear_message(ended, cast, login):
    group, mia, *_ = ended
    url = reverse("groups:follow_up", args=[group.pk])
    browser = login(cast.therapist)
    assert browser.get(url + "?member=abc").status_code == 200
    answer = browser.post(url, {"member": mia.pk, "completed_on": "soon"})
    assert answer.status_code == 400 and "Enter a valid date." in answer.content.decode()
    answer = browser.post(url, {"member": "x", "completed_on": day(20).isoformat(), **items(4)})
    assert answer.status_code == 400
    answer = browser.post(url, {"member": mia.pk, "completed_on": day(20).isoformat()})
    assert answer.status_code == 400 and "There is a problem" in answer.content.decode()
    assert Administration.objects.filter(course=mia.course).count() == 2


def test_it_is_the_clinicians_page_alone(ended, cast, login):
    group, mia, _, boss, fay, finn = ended
    url = reverse("groups:follow_up", args=[group.pk])
    post = {"member": mia.pk, "completed_on": day(20).isoformat(), **items(4)}
    for user, expected in ((fay, 403), (boss, 403), (finn, 404), (cast.outsider, 404)):
        browser = login(user)
        assert browser.get(url).status_code == expected, user
        assert browser.post(url, post).status_code == expected, user
    assert login(cast.client_user).get(url).status_code == 403
    assert Administration.objects.filter(course=mia.course).count() == 2


def test_it_waits_for_the_end_and_for_a_scheduled_point(cast, login):
    boss, fay, _ = make_group_staff()
    running = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay])
    member = enrol_screened(
        group=running, name="Rae", total=14, screened_on=day(30), pre_group_on=day(25)
    )
    browser = login(cast.therapist)
    url = reverse("groups:follow_up", args=[running.pk])
    assert "once the group has ended" in browser.get(url).content.decode()
    post = {"member": member.pk, "completed_on": day(1).isoformat(), **items(4)}
    assert browser.post(url, post).status_code == 400
    assert (
        reverse("groups:follow_up", args=[running.pk])
        not in browser.get(running.get_absolute_url()).content.decode()
    )
    school = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay],
                        programme="school_10", name="School")  # fmt: skip
    page = browser.get(reverse("groups:follow_up", args=[school.pk])).content.decode()
    assert "schedules no follow-up" in page
    outcomes, _ = reports.group_outcomes(school)
    assert outcomes.follow_ups == ()


def test_it_gives_the_follow_up_rows_over_the_api(ended, cast, client, token_for):
    group, mia, *_ = ended
    from openipt.groups.follow_up import record_follow_up

    record_follow_up(cast.therapist, mia, day(ENDED_DAYS_AGO - 183), phq9_answers(total=4))
    data = client.get(f"/api/v1/groups/{group.pk}/outcomes", **token_for(cast.therapist)).json()
    assert [d["denominator"] for d in data["denominators"]] == ["enrolled", "attended", "completed"]
    (six,) = data["follow_ups"]
    assert (six["months"], six["window_first_day"], six["window_last_day"], six["due"]) == (
        6, 138, 228, 2,
    )  # fmt: skip
    enrolled = six["denominators"][0]
    assert (enrolled["members"], enrolled["measured"], enrolled["mean_change"]) == (2, 1, -12.0)
    assert enrolled["recovery"] == {"count": 1, "total": 2, "percent": "50.0 %"}
    assert data["denominators"][0]["measured"] == 1  # Mia's end score, from the group


def test_it_pins_the_outcomes_page_query_count(ended, cast, login, django_assert_max_num_queries):
    group, *_ = ended
    browser = login(cast.therapist)
    counts = []
    for url in (
        reverse("groups:outcomes", args=[group.pk]),
        reverse("groups:follow_up", args=[group.pk]),
    ):
        browser.get(url)  # warm up
        with django_assert_max_num_queries(15) as captured:
            assert browser.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    group.planned_size = 12
    group.save()
    type(group).objects.filter(pk=group.pk).update(status="running")
    for i in range(3):
        enrol_screened(group=group, name=f"Extra {i}", total=15, screened_on=day(260),
                       pre_group_on=day(255))  # fmt: skip
    type(group).objects.filter(pk=group.pk).update(status="ended")
    for url, before in zip(
        (reverse("groups:outcomes", args=[group.pk]), reverse("groups:follow_up", args=[group.pk])),
        counts,
        strict=True,
    ):
        with django_assert_max_num_queries(15) as captured:
            assert browser.get(url).status_code == 200
        assert len(captured.captured_queries) == before, url


def test_it_counts_the_last_score_inside_the_window_and_nothing_outside(ended, cast):
    import datetime as dt

    from django.utils import timezone

    from openipt.assessments.services import record_administration
    from openipt.measures import get_instrument

    group, mia, noa, *_ = ended

    def score(member, days_after_end: int, total: int) -> None:
        when = day(ENDED_DAYS_AGO - days_after_end)
        record_administration(
            cast.therapist, member.course, get_instrument("phq9"), phq9_answers(total=total),
            completed_at=timezone.make_aware(dt.datetime.combine(when, dt.time(12))),
        )  # fmt: skip

    score(mia, 137, 2)  # the day before the 6-month window opens: not a follow-up
    score(noa, 138, 6)  # the window's first day: Noa's only follow-up
    score(mia, 150, 5)  # the last in the window (entered first): this one counts
    score(mia, 140, 3)
    outcomes, _ = reports.group_outcomes(group)
    by_member = {o.facts.member_id: o.facts for o in outcomes.members}
    assert by_member[mia.pk].follow_ups == {6: 5} and by_member[mia.pk].end == 8
    assert by_member[noa.pk].follow_ups == {6: 6} and by_member[noa.pk].end is None


def test_it_prints_the_follow_up_in_group_show(ended, cast):
    from typer.testing import CliRunner

    from openipt.cli import app
    from openipt.groups.follow_up import record_follow_up

    group, mia, *_ = ended
    record_follow_up(cast.therapist, mia, day(ENDED_DAYS_AGO - 183), phq9_answers(total=4))
    result = CliRunner().invoke(app, ["group", "show", str(group.pk)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Follow-up at 6 months (days 138-228 after the end), 2 members due" in text
