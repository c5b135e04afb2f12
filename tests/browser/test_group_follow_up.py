"""The 6-month follow-up of an ended WHO 8 group, entered through its follow-up page.

Figures as in tests/groups/test_follow_up.py: Mia 16 -> end 8 -> 4 at 6 months, Noa never
scored again; over each denominator (2 members) 1 measured, mean change -12.0, recovery and
remission 1/2 = 50.0 %.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from openipt.groups.services import end_group
from openipt.groups.sessions import Row, record_group_session
from tests.browser.test_accessibility import axe_problems
from tests.factories import (
    build_cast,
    enrol_screened,
    make_group,
    make_group_staff,
    phq9_answers,
    today,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def day(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def test_the_clinician_enters_a_follow_up_and_sees_it_in_the_outcomes(
    page, live_server, sign_in, shoot
):
    cast = build_cast()
    boss, fay, _ = make_group_staff()
    group = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay],
                       name="Wednesday women's group")  # fmt: skip
    mia = enrol_screened(group=group, name="Mia Member", total=16, screened_on=day(260),
                         pre_group_on=day(255))  # fmt: skip
    noa = enrol_screened(group=group, name="Noa Member", total=12, screened_on=day(260),
                         pre_group_on=day(255))  # fmt: skip
    rows = [Row(mia.pk, "present", answers=phq9_answers(total=8)), Row(noa.pk, "present")]
    record_group_session(fay, group, held_on=day(200), rows=rows)
    end_group(cast.therapist, group, day(200))

    sign_in(cast.therapist.username)
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.get_by_role("button", name="Follow-up").click()
    expect(page.get_by_role("heading", name="Follow-up: Wednesday women's group")).to_be_visible()
    page.locator(f"tr[data-member='{mia.pk}']").get_by_role("link").click()
    page.get_by_label("Completed on").fill(day(17).isoformat())
    for item, value in phq9_answers(total=4).items():
        page.locator(f"input[name=item_{item}][value='{value}']").check()
    assert not axe_problems(page)
    shoot("group-follow-up")
    page.get_by_role("button", name="Save the follow-up").click()
    expect(page.get_by_text("Follow-up PHQ-9 saved for Mia Member: 4.")).to_be_visible()
    expect(page.locator(f"tr[data-member='{mia.pk}'] td.follow-up-score")).to_have_text("4")

    page.goto(f"{live_server.url}/groups/{group.pk}/outcomes/")
    table = page.locator("table[data-follow-up='6']")
    for name in ("enrolled", "attended", "completed"):
        row = table.locator(f"tr[data-follow-up-row='{name}']")
        expect(row.locator(".rate-recovery")).to_have_text("50.0 % (1/2)")
        expect(row.locator(".rate-remission")).to_have_text("50.0 % (1/2)")
        expect(row).to_contain_text("-12.0")
        expect(row).to_contain_text("not measured: 1")
    assert not axe_problems(page)
    shoot("group-follow-up-outcomes")
