"""An erased group member disappears from the group, and the purge deletes their rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from openipt.assessments.models import Alert
from openipt.groups.models import GroupMembership, MemberAttendance, ScreeningEntry
from openipt.groups.sessions import Row, record_group_session
from openipt.privacy.erasure import erase_client, purge_one
from tests.factories import enrol_screened, make_group, make_group_staff, phq9_answers, today

pytestmark = pytest.mark.django_db


def test_it_hides_an_erased_member_and_purges_their_group_rows(cast, login):
    boss, fay, _ = make_group_staff()
    group = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay])
    day = today() - datetime.timedelta(days=10)
    gone = enrol_screened(
        group=group, name="Erin Gone", total=15, screened_on=day, pre_group_on=day
    )
    kept = enrol_screened(group=group, name="Kim Kept", total=15, screened_on=day, pre_group_on=day)
    risky = phq9_answers(total=12, item9=1)
    rows = [Row(gone.pk, "present", answers=risky), Row(kept.pk, "present")]
    record_group_session(fay, group, held_on=today(), rows=rows)
    Alert.objects.filter(course=gone.course).update(status="resolved", action="risk_assessed")
    erasure = erase_client(cast.therapist, gone.client)
    for user in (cast.therapist, fay, boss):
        page = login(user).get(reverse("groups:detail", args=[group.pk])).content.decode()
        assert "Erin Gone" not in page and "Kim Kept" in page
    screening = login(cast.therapist).get(reverse("groups:screening")).content.decode()
    assert "Erin Gone" not in screening
    assert login(fay).get(reverse("groups:member", args=[gone.pk])).status_code == 404
    purge_one(erasure)
    assert not GroupMembership.objects.filter(pk=gone.pk).exists()
    assert not MemberAttendance.objects.filter(membership_id=gone.pk).exists()
    assert not ScreeningEntry.objects.filter(name="Erin Gone").exists()
    assert GroupMembership.objects.filter(pk=kept.pk).exists()
