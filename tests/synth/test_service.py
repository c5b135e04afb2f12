"""Refusals, appending, the big caseload and the curve counts of `openipt synth`."""

from __future__ import annotations

import pytest

from tests.conftest import clear_cache

pytestmark = pytest.mark.django_db


def test_it_refuses_production_unless_forced(settings):
    from openipt.synth.service import SynthRefused, check_allowed

    settings.PRODUCTION = True
    with pytest.raises(SynthRefused, match="refused when OPENIPT_ENV=production"):
        check_allowed()
    check_allowed(force=True)  # an empty database: nothing else stands in the way


def test_it_refuses_a_database_that_holds_data_unless_appending(some_data):
    from openipt.synth.service import SynthRefused, check_allowed

    with pytest.raises(SynthRefused, match=r"not empty \(1 user, 1 client\).*--append"):
        check_allowed()
    check_allowed(append=True)


def test_it_refuses_to_append_the_same_seed_twice(synth):
    from openipt.synth.service import SynthRefused

    synth(courses=5)
    with pytest.raises(SynthRefused, match="seed 5 are already here"):
        from openipt.synth.service import generate
        from tests.synth.conftest import synth_config

        generate(synth_config(courses=5), append=True)


def test_it_appends_a_service_whose_summaries_stay_true(synth, settings):
    from openipt.assessments.models import Alert
    from openipt.assessments.summary import SUMMARY_FIELDS, compute, load
    from openipt.courses.models import Course
    from openipt.synth.service import generate
    from tests.synth.conftest import synth_config

    settings.OPENIPT_EXPECTED_CURVES_MIN_COURSES = 5
    clear_cache()
    synth(courses=40)
    result = generate(synth_config(courses=30, seed=9), append=True)
    assert result.counts.courses == 30
    assert Course.objects.count() == 70
    for course in Course.objects.filter(status="active"):
        open_alerts = Alert.objects.filter(course=course, status="open").count()
        expected = compute(course, load(course), open_alerts)
        assert {n: getattr(course, n) for n in SUMMARY_FIELDS} == expected


def test_it_gives_one_therapist_a_big_caseload_of_active_courses(synth):
    from openipt.accounts.models import User
    from openipt.courses.models import Course

    result = synth(courses=30, big_caseload=12)
    big = User.objects.get(username=result.usernames["big_caseload"][0])
    assert Course.objects.filter(therapist=big, status="active").count() == 12
    assert big.supervisor is not None


def test_it_puts_one_supervisor_over_each_eight_therapists(synth):
    from openipt.accounts.models import User

    synth(courses=40, therapists=17)
    therapists = User.objects.filter(role="therapist")
    assert therapists.count() == 17
    assert User.objects.filter(role="supervisor").count() == 3
    assert not therapists.filter(supervisor__isnull=True).exists()


def test_it_signs_synthetic_users_in_with_the_given_password(synth):
    from openipt.accounts.models import User

    result = synth(courses=5, password="another-pass-77")
    user = User.objects.get(username=result.usernames["therapists"][0])
    assert user.check_password("another-pass-77")


def test_it_keeps_the_share_of_risk_answers_near_the_configured_rate(synth):
    from openipt.assessments.models import Administration, ItemAnswer

    synth(courses=150, item9_rate=0.2)
    phq9 = Administration.objects.filter(instrument="phq9").count()
    positive = ItemAnswer.objects.filter(
        administration__instrument="phq9", item="9", value__gt=0
    ).count()
    assert 0.14 < positive / phq9 < 0.26
