"""The REST operations of the measures area, through the real API with bearer tokens."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openipt.assessments.models import Administration, Alert
from tests.factories import add_session, make_course, phq9_answers, run_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, token_for):
    """Return call(method, path, user, body=None) -> (status, json)."""

    def call(method: str, path: str, user, body=None):
        headers = token_for(user)
        send = getattr(client, method.lower())
        if body is None:
            response = send(f"/api/v1{path}", **headers)
        else:
            response = send(
                f"/api/v1{path}", data=json.dumps(body), content_type="application/json", **headers
            )
        return response.status_code, response.json()

    return call


def test_it_records_an_assessment_and_returns_total_band_and_alerts(cast, api, course):
    session = add_session(course=course, number=1)
    body = {
        "instrument": "phq9",
        "answers": phq9_answers(total=17, item9=2),
        "session_id": session.pk,
    }
    status, data = api("POST", f"/courses/{course.pk}/assessments", cast.therapist, body)
    assert status == 201
    assert (data["total"], data["band"], data["band_label"]) == (
        17,
        "moderately_severe",
        "Moderately severe",
    )
    (alert,) = data["alerts"]
    assert (alert["item"], alert["value"], alert["status"]) == ("9", 2, "open")
    assert "More than half the days" in alert["text"]
    assert data["crisis_text"]
    assert Administration.objects.get().session == session


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        ({"1": True}, "Item 1"),
        ({"2": "2"}, "Item 2"),
        ({"3": 2.5}, "Item 3"),
        ({"4": 7}, "Item 4"),
        ({"12": 0}, "Item 12"),
        ({"8": None}, "Item 8"),
    ],
)
def test_it_refuses_bad_answers_with_a_400_naming_the_item(cast, api, course, answers, item):
    body = {"instrument": "phq9", "answers": phq9_answers(total=10) | answers}
    status, data = api("POST", f"/courses/{course.pk}/assessments", cast.therapist, body)
    assert status == 400
    assert item in data["detail"]
    assert Administration.objects.count() == 0


def test_it_never_takes_true_for_one(cast, api, course):
    answers = {str(i): 1 for i in range(1, 10)} | {"5": True}
    status, data = api(
        "POST", f"/courses/{course.pk}/assessments", cast.therapist,
        {"instrument": "phq9", "answers": answers},
    )  # fmt: skip
    assert status == 400 and "true/false" in data["detail"]


def test_it_keeps_the_risk_alert_when_the_request_fails(cast, api, course):
    body = {"instrument": "phq9", "answers": phq9_answers(total=10, item9=3) | {"1": False}}
    status, data = api("POST", f"/courses/{course.pk}/assessments", cast.therapist, body)
    assert status == 400
    assert "alert raised" in data["detail"]
    assert Administration.objects.count() == 0
    alert = Alert.objects.get()
    assert (alert.value, alert.status, alert.administration) == (3, "open", None)
    status, listed = api("GET", "/alerts", cast.therapist)
    assert [a["id"] for a in listed["items"]] == [alert.pk]


@pytest.mark.parametrize(
    "body",
    [
        {"instrument": "phq9"},
        {"instrument": "phq9", "answers": {}, "extra": 1},
        {"instrument": 9, "answers": {}},
        {"instrument": "phq9", "answers": [1, 2]},
        {"instrument": "phq9", "answers": {}, "session_id": "1"},
        {"instrument": "phq9", "answers": {}, "completed_by": "robot"},
    ],
)
def test_it_refuses_malformed_bodies_with_422(cast, api, course, body):
    status, data = api("POST", f"/courses/{course.pk}/assessments", cast.therapist, body)
    assert status == 422 and data["detail"]


def test_it_refuses_an_unknown_instrument_and_a_foreign_session(cast, api, course, other_course):
    status, data = api(
        "POST", f"/courses/{course.pk}/assessments", cast.therapist,
        {"instrument": "bdi2", "answers": {}},
    )  # fmt: skip
    assert status == 400 and "Unknown instrument" in data["detail"]
    foreign = add_session(course=other_course, number=1)
    status, data = api(
        "POST", f"/courses/{course.pk}/assessments", cast.therapist,
        {"instrument": "phq9", "answers": phq9_answers(total=5), "session_id": foreign.pk},
    )  # fmt: skip
    assert status == 400 and "session" in data["detail"]


def test_it_guards_writes_by_role(cast, api, course):
    path = f"/courses/{course.pk}/assessments"
    body = {"instrument": "phq9", "answers": phq9_answers(total=5)}
    assert api("POST", path, cast.outsider, body)[0] == 404
    assert api("POST", path, cast.supervisor, body)[0] == 403
    assert api("POST", path, cast.client_user, body)[0] == 404
    assert Administration.objects.count() == 0


def test_it_lists_assessments_item_by_item(cast, api, course):
    run_course(course=course, phq9_totals=[12, 9])
    status, data = api("GET", f"/courses/{course.pk}/assessments", cast.supervisor)
    assert status == 200 and data["count"] == 2
    first = data["items"][0]
    assert first["total"] == 12 and first["band"] == "moderate"
    assert first["answers"] == phq9_answers(total=12)
    assert api("GET", f"/courses/{course.pk}/assessments", cast.outsider)[0] == 404
    assert api("GET", f"/courses/{course.pk}/assessments", cast.client_user)[0] == 404


def test_it_returns_outcomes_per_instrument_and_for_the_course(cast, api, course):
    run_course(course=course, phq9_totals=[18, 12, 7], gad7_totals=[13, 9, 5])
    course.status = "ended"
    course.save()
    status, data = api("GET", f"/courses/{course.pk}/outcomes", cast.therapist)
    assert status == 200
    phq9 = data["instruments"]["phq9"]
    assert {k: phq9[k] for k in ("baseline", "latest", "response", "remission")} == {
        "baseline": 18, "latest": 7, "response": True, "remission": False,
    }  # fmt: skip
    assert phq9["reliable_improvement"] is True and phq9["reliable_deterioration"] is False
    assert data["instruments"]["gad7"]["baseline"] == 13
    assert data["course"] == {
        "caseness": True, "recovery": True, "reliable_improvement": True,
        "reliable_deterioration": False, "reliable_recovery": True, "finished": True,
    }  # fmt: skip
    assert api("GET", f"/courses/{course.pk}/outcomes", cast.outsider)[0] == 404


def test_it_returns_nulls_for_a_single_score(cast, api, course):
    run_course(course=course, phq9_totals=[14])
    data = api("GET", f"/courses/{course.pk}/outcomes", cast.therapist)[1]
    phq9 = data["instruments"]["phq9"]
    assert (phq9["baseline"], phq9["latest"], phq9["response"], phq9["scores"]) == (14, 14, None, 1)
    assert data["course"]["recovery"] is None and data["measure_due"] is True


def test_it_lists_and_resolves_alerts(cast, api, course, other_course):
    run_course(course=course, phq9_totals=[12], item9={1: 1})
    run_course(course=other_course, phq9_totals=[12], item9={1: 1})
    status, data = api("GET", "/alerts", cast.therapist)
    (alert,) = data["items"]
    assert alert["course_id"] == course.pk
    assert api("GET", "/alerts", cast.supervisor)[1]["count"] == 1
    assert api("GET", "/alerts", cast.client_user)[0] == 403
    path = f"/alerts/{alert['id']}/resolve"
    assert api("POST", path, cast.outsider, {"action": "escalated", "note": "x"})[0] == 404
    assert api("POST", path, cast.supervisor, {"action": "escalated", "note": "x"})[0] == 403
    assert api("POST", path, cast.therapist, {"action": "escalated", "note": ""})[0] == 422
    assert api("POST", path, cast.therapist, {"action": "ignored", "note": "x"})[0] == 422
    status, data = api(
        "POST", path, cast.therapist, {"action": "escalated", "note": "To crisis team."}
    )
    assert status == 200 and data["status"] == "resolved" and data["action"] == "escalated"
    assert api("POST", path, cast.therapist, {"action": "escalated", "note": "again"})[0] == 409
    assert api("GET", "/alerts", cast.therapist)[1]["count"] == 0
    assert api("GET", "/alerts?status=resolved", cast.therapist)[1]["count"] == 1
    assert api("GET", "/alerts?status=all", cast.therapist)[1]["count"] == 1


@pytest.mark.parametrize("code", ["phq9", "gad7", "who5", "phq2"])
def test_it_describes_each_built_in_instrument(cast, api, code):
    status, data = api("GET", f"/instruments/{code}", cast.therapist)
    assert status == 200
    assert data["code"] == code and data["version"] == "1.0"
    item = data["items"][0]
    assert set(item) >= {"id", "text", "required", "options"}
    assert set(item["options"][0]) == {"value", "label"}


def test_it_lists_instruments_and_404s_an_unknown_one(cast, api):
    status, data = api("GET", "/instruments", cast.therapist)
    assert status == 200
    assert {i["code"] for i in data} >= {"phq9", "gad7", "who5", "phq2"}
    assert api("GET", "/instruments/bdi2", cast.therapist)[0] == 404
    assert api("GET", "/instruments/phq9?version=9.9", cast.therapist)[0] == 404
    phq9 = api("GET", "/instruments/phq9", cast.therapist)[1]
    assert phq9["items"][9]["required"] is False and len(phq9["items"]) == 10


def test_it_exports_the_course_as_fhir_to_those_who_may_read_it(cast, api, course):
    run_course(course=course, phq9_totals=[12])
    status, data = api("GET", f"/courses/{course.pk}/fhir", cast.supervisor)
    assert status == 200 and data["resourceType"] == "Bundle"
    assert api("GET", f"/courses/{course.pk}/fhir", cast.outsider)[0] == 404
    assert api("GET", f"/courses/{course.pk}/fhir", cast.client_user)[0] == 404


def test_it_answers_404_for_a_course_that_does_not_exist(cast, api):
    other = make_course(client=cast.other_client)
    for path in ("assessments", "outcomes", "fhir"):
        assert api("GET", f"/courses/{other.pk + 1000}/{path}", cast.therapist)[0] == 404


ANSWER_VALUES = st.one_of(
    st.integers(-2, 5), st.booleans(), st.none(), st.text(max_size=3), st.floats(allow_nan=False)
)
VALID_SETS = st.fixed_dictionaries({str(i): st.integers(0, 3) for i in range(1, 10)})
CHANGES = st.dictionaries(
    st.sampled_from([str(i) for i in range(0, 13)] + ["x", ""]), ANSWER_VALUES, max_size=4
)
ANSWER_SETS = st.builds(lambda valid, changes: valid | changes, VALID_SETS, CHANGES)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=ANSWER_SETS)
def test_it_never_stores_half_a_form_and_never_loses_a_risk_answer(cast, api, course, answers):
    before = Administration.objects.count()
    status, data = api(
        "POST", f"/courses/{course.pk}/assessments", cast.therapist,
        {"instrument": "phq9", "answers": answers},
    )  # fmt: skip
    assert status in (201, 400), data
    assert Administration.objects.count() == before + (status == 201)
    item9 = answers.get("9")
    if type(item9) is int and 1 <= item9 <= 3:
        assert Alert.objects.filter(course=course, item="9", value=item9).exists()
