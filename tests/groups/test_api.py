"""Groups over REST: screening, forming, enrolling, sessions with attendance, outcomes."""

from __future__ import annotations

import datetime
import json

import pytest

from tests.factories import enrol_screened, make_group, make_group_staff, phq9_answers, today

pytestmark = pytest.mark.django_db


def day(n: int) -> str:
    return (today() - datetime.timedelta(days=n)).isoformat()


def post(client, url, data, headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def staff(cast):
    return make_group_staff()


def test_it_runs_a_group_through_the_api(client, cast, staff, token_for):
    boss, fay, _ = staff
    clinician = token_for(cast.therapist)
    made = post(client, "/api/v1/groups", {
        "programme": "who_8", "name": "API group", "supervisor_username": boss.username,
        "facilitator_usernames": [fay.username], "planned_size": 8,
    }, clinician)  # fmt: skip
    assert made.status_code == 201, made.content
    group_id = made.json()["id"]
    screened = post(client, "/api/v1/screenings", {
        "programme": "who_8", "name": "Ana", "sex": "female", "screened_on": day(20),
        "phq9": phq9_answers(total=17),
    }, clinician)  # fmt: skip
    assert screened.status_code == 201 and screened.json()["outcome"] == "eligible"
    member = post(client, f"/api/v1/groups/{group_id}/members", {
        "screening_id": screened.json()["id"], "problem_area": "role_transition",
        "pre_group_on": day(15), "pre_group_tasks": ["symptom_inventory"],
    }, clinician)  # fmt: skip
    assert member.status_code == 201, member.content
    membership_id = member.json()["id"]
    facilitator = token_for(fay)
    session = post(client, f"/api/v1/groups/{group_id}/sessions", {
        "held_on": day(7), "rows": [{"membership_id": membership_id, "status": "present",
        "check_in": 4, "phq9": phq9_answers(total=13, item9=1)}],
    }, facilitator)  # fmt: skip
    assert session.status_code == 201, session.content
    assert (session.json()["number"], session.json()["alerts_raised"]) == (1, 1)
    detail = client.get(f"/api/v1/group-sessions/{session.json()['id']}", **facilitator).json()
    assert detail["rows"][0]["phq9_total"] == 13 and detail["rows"][0]["check_in"] == 4
    outcomes = client.get(f"/api/v1/groups/{group_id}/outcomes", **clinician).json()
    assert [d["denominator"] for d in outcomes["denominators"]] == [
        "enrolled", "attended", "completed",
    ]  # fmt: skip
    assert outcomes["denominators"][0]["mean_change"] == -4.0
    listed = client.get("/api/v1/groups", **facilitator).json()
    assert [g["name"] for g in listed["items"]] == ["API group"]


def test_it_gives_another_facilitator_404(client, cast, staff, token_for):
    boss, fay, finn = staff
    group = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay])
    member = enrol_screened(
        group=group, name="B", total=14, screened_on=today(), pre_group_on=today()
    )
    other = token_for(finn)
    for url in (f"/api/v1/groups/{group.pk}", f"/api/v1/groups/{group.pk}/members",
                f"/api/v1/group-members/{member.pk}"):  # fmt: skip
        assert client.get(url, **other).status_code == 404
    assert client.get("/api/v1/groups", **other).json()["count"] == 0
    assert (
        client.get(f"/api/v1/groups/{group.pk}", **token_for(cast.client_user)).status_code == 403
    )


def test_it_refuses_bad_session_input_clearly(client, cast, staff, token_for):
    boss, fay, _ = staff
    group = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay])
    member = enrol_screened(
        group=group, name="C", total=14, screened_on=today(), pre_group_on=today()
    )
    url = f"/api/v1/groups/{group.pk}/sessions"
    answers = {**phq9_answers(total=10), "1": True}
    row = {"membership_id": member.pk, "status": "present", "phq9": answers}
    bad_bool = post(client, url, {"held_on": day(1), "rows": [row]}, token_for(fay))
    assert bad_bool.status_code == 422
    future = post(client, url, {"held_on": day(-3), "rows": [
        {"membership_id": member.pk, "status": "present"}]}, token_for(fay))  # fmt: skip
    assert future.status_code == 400 and "future" in future.json()["detail"]
    missing = post(client, url, {"held_on": day(1), "rows": []}, token_for(fay))
    assert missing.status_code == 400 and "every current member" in missing.json()["detail"]


def test_it_lists_groups_and_members_in_a_fixed_number_of_queries(
    client, cast, staff, token_for, django_assert_max_num_queries
):
    boss, fay, finn = staff
    clinician = token_for(cast.therapist)

    def counted(url: str) -> int:
        with django_assert_max_num_queries(12) as captured:
            answer = client.get(url, **clinician)
        assert answer.status_code == 200, answer.content
        return len(captured.captured_queries)

    first = make_group(clinician=cast.therapist, supervisor=boss, facilitators=[fay], name="G1")
    enrol_screened(group=first, name="A", total=15, screened_on=today(), pre_group_on=today())
    few = (counted("/api/v1/groups"), counted(f"/api/v1/groups/{first.pk}/members"))
    for n in range(2, 6):
        group = make_group(
            clinician=cast.therapist, supervisor=boss, facilitators=[fay, finn], name=f"G{n}"
        )
        enrol_screened(
            group=group, name=f"M{n}", total=15, screened_on=today(), pre_group_on=today()
        )
    for n in range(3):
        enrol_screened(
            group=first, name=f"B{n}", total=12, screened_on=today(), pre_group_on=today()
        )
    listed = client.get("/api/v1/groups", **clinician).json()
    assert listed["count"] == 5 and listed["items"][1]["facilitators"] == [str(fay), str(finn)]
    assert (counted("/api/v1/groups"), counted(f"/api/v1/groups/{first.pk}/members")) == few
