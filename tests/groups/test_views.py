"""The group pages: who sees what, the session page, and their query budgets."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from openipt.groups.models import GroupSession
from openipt.groups.sessions import Row, record_group_session
from tests.factories import enrol_screened, make_group, make_group_staff, today

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


@pytest.fixture
def setup(cast):
    boss, fay, finn = make_group_staff()
    _, stranger, _ = make_group_staff(supervisor="gsup2")
    group = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay])
    member = enrol_screened(
        group=group, name="Mia Member", total=16, screened_on=day(20), pre_group_on=day(15)
    )
    return group, member, boss, fay, finn, stranger


def test_it_shows_a_facilitator_their_group_and_hides_it_from_others(setup, cast, login, client):
    group, member, boss, fay, finn, stranger = setup
    pages = [
        reverse("groups:detail", args=[group.pk]),
        reverse("groups:session_new", args=[group.pk]),
        reverse("groups:member", args=[member.pk]),
        reverse("groups:outcomes", args=[group.pk]),
    ]
    for user, expected in ((fay, 200), (stranger, 404), (finn, 404), (cast.outsider, 404)):
        browser = login(user)
        for page in pages:
            assert browser.get(page).status_code == expected, (user, page)
    browser = login(cast.client_user)
    assert browser.get(pages[0]).status_code == 403
    browser = login(boss)
    assert browser.get(pages[0]).status_code == 200  # the group's supervisor reads
    assert browser.get(pages[1]).status_code == 403  # ...and runs nothing


def test_it_never_opens_the_course_record_to_a_facilitator(setup, login):
    group, member, _, fay, *_ = setup
    browser = login(fay)
    assert browser.get(reverse("courses:detail", args=[member.course_id])).status_code == 403
    assert browser.get(reverse("clients:detail", args=[member.client_id])).status_code == 403
    assert browser.get(reverse("assessments:alerts")).status_code == 403
    assert browser.get(reverse("groups:enrol", args=[group.pk])).status_code == 403


def test_it_runs_a_session_from_the_page_and_alerts_the_supervisor(setup, login):
    group, member, boss, fay, *_ = setup
    browser = login(fay)
    page = browser.get(reverse("groups:session_new", args=[group.pk])).content.decode()
    assert "Mia Member" in page and "Session 1 of 8" in page
    p = f"m{member.pk}"
    post = {"held_on": day(7).isoformat(), "minutes": "90", f"{p}-status": "present",
            f"{p}-check_in": "6", f"{p}-homework": "Talk to her sister"}  # fmt: skip
    post.update({f"{p}-item_{i}": "2" for i in range(1, 9)})
    post[f"{p}-item_9"] = "1"
    answer = browser.post(reverse("groups:session_new", args=[group.pk]), post)
    session = GroupSession.objects.get(group=group)
    assert answer.status_code == 302 and answer["Location"] == session.get_absolute_url()
    row = session.rows.get()
    assert (row.check_in, row.homework, row.administration.total) == (6, "Talk to her sister", 17)
    alerts = login(boss).get(reverse("assessments:alerts")).content.decode()
    assert "Mia Member" in alerts and "Open alert" in alerts


def test_it_refuses_bad_input_with_a_clear_message(setup, login):
    group, member, _, fay, *_ = setup
    browser = login(fay)
    p = f"m{member.pk}"
    url = reverse("groups:session_new", args=[group.pk])
    answer = browser.post(
        url, {"held_on": "yesterday", f"{p}-status": "present", f"{p}-check_in": "x"}
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "Session date: enter a date." in body and "Check-in: enter a whole number." in body
    answer = browser.post(
        url, {"held_on": day(3).isoformat(), f"{p}-status": "present", f"{p}-check_in": "12"}
    )
    assert answer.status_code == 400 and "from 0 to 10" in answer.content.decode()
    assert not GroupSession.objects.exists()


def test_it_records_the_checklist_and_the_supervisors_review(setup, login):
    group, member, boss, fay, *_ = setup
    session = record_group_session(
        fay, group, held_on=day(7), rows=[Row(member.pk, "present")]
    ).session
    url = reverse("groups:checklist", args=[session.pk])
    assert login(fay).post(url, {"tasks_done": ["introductions", "group_goals"]}).status_code == 302
    session.refresh_from_db()
    assert session.tasks_done == ["introductions", "group_goals"] and session.checklist_on
    queue = login(boss).get(reverse("groups:review_queue")).content.decode()
    assert group.name in queue
    assert login(fay).post(reverse("groups:review", args=[session.pk])).status_code == 403
    assert login(boss).post(reverse("groups:review", args=[session.pk])).status_code == 302
    session.refresh_from_db()
    assert session.reviewed_by == boss
    assert group.name not in login(boss).get(reverse("groups:review_queue")).content.decode()


def _grow(group, count: int) -> None:
    for i in range(count):
        enrol_screened(
            group=group, name=f"Extra {i}", total=15, screened_on=day(20), pre_group_on=day(15)
        )


def test_it_pins_the_session_page_query_count(setup, login, django_assert_max_num_queries):
    group, _, _, fay, *_ = setup
    group.planned_size = 12
    group.save()
    browser = login(fay)
    url = reverse("groups:session_new", args=[group.pk])
    browser.get(url)  # warm up: the first request sets up the audit chain
    counts = []
    for extra in (2, 9):
        _grow(group, extra - (len(counts) and 2))
        with django_assert_max_num_queries(15) as captured:
            assert browser.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_it_pins_the_programme_dashboard_query_count(
    setup, cast, login, django_assert_max_num_queries
):
    group, _, boss, fay, finn, _ = setup
    browser = login(cast.therapist)
    url = reverse("groups:dashboard") + "?programme=who_8"
    browser.get(url)
    counts = []
    for n in (1, 3):
        while group.clinician.clinical_groups.count() < n:
            other = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[finn],
                               name=f"G{n}")  # fmt: skip
            enrol_screened(
                group=other, name=f"M{n}", total=14, screened_on=day(20), pre_group_on=day(15)
            )
            record_group_session(finn, other, held_on=day(7), rows=[
                Row(m.pk, "present") for m in other.memberships.all()])  # fmt: skip
        with django_assert_max_num_queries(15) as captured:
            assert browser.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert login(fay).get(url).status_code == 403
    assert (
        login(cast.therapist).get(reverse("groups:dashboard") + "?programme=nope").status_code
        == 404
    )


def test_it_shows_the_supervisor_each_facilitators_alerts_and_members_not_improving(setup, login):
    group, member, boss, fay, *_ = setup
    worse = {str(i): 2 for i in range(1, 9)} | {"9": 1}  # 17, up from 16, and a risk answer
    rows = [Row(member.pk, "present", answers=worse)]
    record_group_session(fay, group, held_on=day(7), rows=rows)
    answer = login(boss).get(reverse("groups:dashboard") + "?programme=who_8")
    (entry,) = answer.context["facilitators"]
    (shown,) = entry["groups"]
    assert (entry["facilitator"], shown.members, shown.held) == (fay, 1, 1)
    assert (shown.open_alerts, shown.not_improving, shown.unreviewed) == (1, 1, 1)
    assert "1 open" in answer.content.decode()


def test_it_names_a_facilitators_flag_on_the_alert_list(setup, login):
    group, member, boss, fay, *_ = setup
    record_group_session(fay, group, held_on=day(7), rows=[Row(member.pk, "present", flag=True)])
    page = login(boss).get(reverse("assessments:alerts")).content.decode()
    assert "A group facilitator&#x27;s concern about this member&#x27;s safety" in page


def test_it_links_an_alert_to_the_record_each_reader_may_open(setup, cast, login):
    group, member, boss, fay, *_ = setup
    record_group_session(fay, group, held_on=day(7), rows=[Row(member.pk, "present", flag=True)])
    course_page = reverse("assessments:course", args=[member.course_id])
    member_page = reverse("groups:member", args=[member.pk])
    # The group's supervisor does not hold the course: the name opens the member's group page.
    page = login(boss).get(reverse("assessments:alerts")).content.decode()
    assert f'href="{member_page}">Mia Member' in page and course_page not in page
    assert login(boss).get(member_page).status_code == 200
    # The clinician who holds the record goes to the course's measures.
    page = login(cast.therapist).get(reverse("assessments:alerts")).content.decode()
    assert f'href="{course_page}">Mia Member' in page


def test_it_guides_the_pre_group_session_by_the_screening_phq9(setup, cast, login):
    from openipt.groups.services import screen_person

    group, *_ = setup
    answers = {"1": 3, "2": 2, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1, "8": 0, "9": 0}
    screen_person(
        cast.therapist, "who_8", name="Nia New", sex="female", screened_on=day(3), answers=answers
    )
    page = login(cast.therapist).get(reverse("groups:enrol", args=[group.pk])).content.decode()
    inventory = page[page.index("Nia New (PHQ-9 10)") :]
    assert "Little interest or pleasure in doing things" in inventory
    assert "Feeling down, depressed, or hopeless" in inventory
    assert "Trouble falling or staying asleep" not in inventory.split("</details>")[0]
