"""The courses REST API: the contract in the issue, whole courses run through it, refusals."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from openipt.courses.models import Course
from tests.courses.conftest import START

pytestmark = pytest.mark.django_db

API = "/api/v1/courses"


def call(client, method, url, headers, data=None):
    kwargs = {"content_type": "application/json"} if data is not None else {}
    body = json.dumps(data) if data is not None else None
    return getattr(client, method)(url, data=body, **kwargs, **headers)


@pytest.fixture
def api(client, cast, token_for):
    """Return a caller signed in as the therapist: api(method, path, data) -> response."""
    headers = token_for(cast.therapist)

    def _call(method, path, data=None, expect=None):
        response = call(client, method, API + path, headers, data)
        if expect is not None:
            assert response.status_code == expect, response.content
        return response

    return _call


def open_course(api, cast, fmt, planned=None, **extra):
    data = {
        "client_id": cast.client.pk,
        "format": fmt,
        "planned_sessions": planned,
        "started_on": START.isoformat(),
        **extra,
    }
    return api("post", "", data, expect=201).json()


def sessions(api, course_id, count, start):
    """Record `count` weekly attended sessions from `start`; return their bodies."""
    out = []
    for n in range(count):
        day = (start + timedelta(days=7 * n)).isoformat()
        data = {"date": day, "attendance": "attended", "notes": f"Session on {day}"}
        out.append(api("post", f"/{course_id}/sessions", data, expect=201).json())
    return out


def test_it_runs_a_16_session_standard_course_to_a_maintenance_contract(api, cast):
    course = open_course(api, cast, "standard", 16, referrer="Dr Lee, GP")
    assert {k: course[k] for k in ("format", "status", "phase", "sessions_done")} == {
        "format": "standard",
        "status": "active",
        "phase": "initial",
        "sessions_done": 0,
    }
    assert course["agenda"]["session_label"] == "Session 1 of 16"
    cid = course["id"]
    done = sessions(api, cid, 3, START)
    contract = api(
        "put",
        f"/{cid}/contract",
        {"planned_sessions": 16, "frequency": "weekly", "agreed_on": START.isoformat()},
        expect=200,
    )
    assert contract.json()["changed"] is True
    focus = api(
        "put",
        f"/{cid}/focus",
        {"areas": [{"area": "role_dispute", "dispute_stage": "impasse"}]},
        expect=200,
    )
    assert focus.json()["areas"][0]["label"] == "Role disputes"
    api("put", f"/{cid}/goals", {"goals": [{"text": "Say what I need at home"}]}, expect=200)
    state = api("get", f"/{cid}", expect=200).json()
    assert state["phase"] == "middle" and state["sessions_remaining"] == 13
    assert state["focus"][0]["dispute_stage"] == "impasse"
    assert any("Impasse stage" in s["text"] for s in state["agenda"]["strategies"])
    done += sessions(api, cid, 13, START + timedelta(days=21))
    assert [s["number"] for s in done] == list(range(1, 17))
    assert [s["phase"] for s in done] == ["initial"] * 3 + ["middle"] * 10 + ["termination"] * 3
    ending = api(
        "post",
        f"/{cid}/termination",
        {
            "why_better": "I said what I needed",
            "warning_signs": "Withdrawing",
            "what_helps": "Talking to Sam",
            "maintenance_discussed": True,
            "response": "responder",
            "decision": "maintenance_contract",
            "maintenance_frequency": "monthly",
            "maintenance_months": 24,
            "ended_on": (START + timedelta(days=15 * 7 + 1)).isoformat(),
        },
        expect=200,
    ).json()
    assert ending["ended"] is True and ending["notices"] == []
    assert ending["course"]["status"] == "ended"
    assert ending["course"]["end_decision"] == "maintenance_contract"
    nxt = ending["follow_on"]
    assert (nxt["format"], nxt["phase"], nxt["follows_id"]) == ("maintenance", "maintenance", cid)
    assert (nxt["planned_sessions"], nxt["frequency"]) == (24, "monthly")
    assert ending["course"]["followed_by"] == [nxt["id"]]
    later = START + timedelta(days=16 * 7 + 30)
    (first,) = sessions(api, nxt["id"], 1, later)
    assert first["phase"] == "maintenance"
    refused = api("post", f"/{cid}/sessions", {"date": later.isoformat(), "attendance": "attended"})
    assert refused.status_code == 400 and "has ended" in refused.json()["detail"]


def test_it_runs_brief_ipt_by_its_own_format_S21(api, cast):
    cid = open_course(api, cast, "brief", 9)["id"]
    done = sessions(api, cid, 3, START)
    api("put", f"/{cid}/contract", {"planned_sessions": 9, "frequency": "weekly"}, expect=200)
    api("put", f"/{cid}/focus", {"areas": [{"area": "role_transition"}]}, expect=200)
    done += sessions(api, cid, 6, START + timedelta(days=21))
    assert [s["phase"] for s in done] == ["initial"] * 3 + ["middle"] * 4 + ["termination"] * 2
    assert [s["is_engagement"] for s in done[:2]] == [True, False]


def test_it_runs_ipt_a_by_its_own_format_S15_S18(api, cast):
    course = open_course(api, cast, "adolescent", 12, intake_flags=[])
    cid = course["id"]
    labels = [t["label"] for t in course["agenda"]["tasks"]]
    assert "Give the limited sick role" in labels
    assert any(r["code"] == "intake_screen" for r in course["agenda"]["reminders"])
    assert all(f["present"] is False for f in course["intake_flags"])
    done = sessions(api, cid, 3, START)
    api("put", f"/{cid}/contract", {"planned_sessions": 12, "frequency": "weekly"}, expect=200)
    api("put", f"/{cid}/focus", {"areas": [{"area": "grief"}]}, expect=200)
    done += sessions(api, cid, 9, START + timedelta(days=21))
    assert [s["phase"] for s in done] == ["initial"] * 3 + ["middle"] * 6 + ["termination"] * 3


def test_it_refuses_ipt_a_with_an_exclusion(api, cast):
    response = api(
        "post",
        "",
        {
            "client_id": cast.client.pk,
            "format": "adolescent",
            "intake_flags": ["active_substance_abuse"],
        },
    )
    assert response.status_code == 400
    assert "not indicated for active substance abuse" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "data", "text"),
    [
        ("/sessions", {"date": "2999-01-01", "attendance": "attended"}, "future"),
        ("/contract", {"planned_sessions": 40, "frequency": "weekly"}, "8 to 20 sessions"),
        ("/focus", {"areas": [{"area": "role_dispute"}]}, "Say which stage"),
        ("/focus", {"areas": [{"area": "interpersonal_deficits"}]}, "only after confirming"),
        ("/focus", {"areas": [{"area": "grief"}, {"area": "role_transition"}]}, "second problem"),
        ("/termination", {"decision": "discharge_with_relapse_plan"}, "relapse plan"),
        ("/termination", {"decision": "maintenance_contract"}, "maintenance sessions"),
        ("/goals", {"goals": [{"text": " "}]}, "write the goal"),
    ],
)
def test_it_refuses_rule_breaks_with_4xx_and_a_detail(api, cast, path, data, text):
    cid = open_course(api, cast, "standard")["id"]
    method = "post" if path in ("/sessions", "/termination") else "put"
    response = api(method, f"/{cid}{path}", data)
    assert response.status_code == 400
    assert text in response.json()["detail"]


def test_it_refuses_middle_phase_sessions_without_a_contract(api, cast):
    cid = open_course(api, cast, "standard")["id"]
    sessions(api, cid, 3, START)
    response = api(
        "post",
        f"/{cid}/sessions",
        {"date": (START + timedelta(days=21)).isoformat(), "attendance": "attended"},
    )
    assert response.status_code == 400
    assert "Agree the treatment contract" in response.json()["detail"]


def test_it_refuses_booleans_for_counts_and_unknown_fields(api, cast):
    response = api(
        "post", "", {"client_id": cast.client.pk, "format": "standard", "planned_sessions": True}
    )
    assert response.status_code == 422
    response = api("post", "", {"client_id": cast.client.pk, "format": "standard", "colour": 1})
    assert response.status_code == 422
    assert not Course.objects.exists()


def test_it_keeps_renegotiations_in_the_history(api, cast):
    cid = open_course(api, cast, "standard")["id"]
    api("put", f"/{cid}/contract", {"planned_sessions": 16, "frequency": "weekly"}, expect=200)
    response = api("put", f"/{cid}/contract", {"planned_sessions": 12, "frequency": "weekly"})
    assert response.status_code == 400 and "reason" in response.json()["detail"]
    body = api(
        "put",
        f"/{cid}/contract",
        {"planned_sessions": 12, "frequency": "weekly", "reason": "Moving"},
        expect=200,
    ).json()
    assert body["is_renegotiation"] is True
    assert [h["planned_sessions"] for h in body["history"]] == [16, 12]


def test_it_patches_symptom_onset_and_referrer_and_refuses_a_future_onset(api, cast):
    cid = open_course(api, cast, "standard")["id"]
    body = api(
        "patch", f"/{cid}", {"symptom_onset": START.isoformat(), "referrer": "Dr A"}, expect=200
    ).json()
    assert (body["symptom_onset"], body["referrer"]) == (START.isoformat(), "Dr A")
    response = api("patch", f"/{cid}", {"symptom_onset": "2999-01-01"})
    assert response.status_code == 400 and "future" in response.json()["detail"]
    # Clearing a recorded value is a correction: it needs a reason (and keeps the value).
    assert api("patch", f"/{cid}", {"symptom_onset": None}).status_code == 400
    cleared = api("patch", f"/{cid}", {"symptom_onset": None, "reason": "Not known"}, expect=200)
    assert cleared.json()["symptom_onset"] is None


def test_it_lists_courses_paginated_and_filtered(api, cast):
    cid = open_course(api, cast, "standard")["id"]
    body = api("get", "?limit=1", expect=200).json()
    assert body["count"] == 1 and body["items"][0]["id"] == cid
    assert api("get", "?status=ended", expect=200).json()["count"] == 0
    assert api("get", f"/{cid}/sessions", expect=200).json()["count"] == 0


def test_it_returns_the_letter_as_pdf(api, cast):
    from pypdf import PdfReader

    cid = open_course(api, cast, "standard")["id"]
    response = api("get", f"/{cid}/letter.pdf", expect=200)
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "End-of-treatment letter" in text and "Carla Client" in text


# --- access ---------------------------------------------------------------------------------

OPERATIONS = [
    ("get", "", None),
    ("patch", "", {"referrer": "X"}),
    ("get", "/sessions", None),
    ("post", "/sessions", {"date": START.isoformat(), "attendance": "attended"}),
    ("put", "/contract", {"planned_sessions": 16, "frequency": "weekly"}),
    ("put", "/focus", {"areas": [{"area": "grief"}]}),
    ("put", "/goals", {"goals": [{"text": "x"}]}),
    ("post", "/termination", {"why_better": "x"}),
    ("get", "/letter.pdf", None),
]
WRITES = {"patch", "post", "put"}


@pytest.mark.parametrize(("method", "path", "data"), OPERATIONS)
def test_it_gives_404_to_an_outsider_on_every_operation(
    client, cast, token_for, method, path, data
):
    from openipt.courses import services

    course = services.open_course(cast.therapist, cast.client, "standard", started_on=START)
    response = call(client, method, f"{API}/{course.pk}{path}", token_for(cast.outsider), data)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("method", "path", "data"), OPERATIONS)
def test_it_lets_a_supervisor_read_but_not_write(client, cast, token_for, method, path, data):
    from openipt.courses import services

    course = services.open_course(cast.therapist, cast.client, "standard", started_on=START)
    response = call(client, method, f"{API}/{course.pk}{path}", token_for(cast.supervisor), data)
    assert response.status_code == (403 if method in WRITES else 200)


@pytest.mark.parametrize(("method", "path", "data"), OPERATIONS)
def test_it_gives_a_client_404(client, cast, token_for, method, path, data):
    from openipt.courses import services

    course = services.open_course(cast.therapist, cast.client, "standard", started_on=START)
    response = call(client, method, f"{API}/{course.pk}{path}", token_for(cast.client_user), data)
    assert response.status_code == 404


def test_it_refuses_to_open_courses_for_others_clients(client, cast, token_for):
    data = {"client_id": cast.client.pk, "format": "standard"}
    assert call(client, "post", API, token_for(cast.outsider), data).status_code == 404
    assert call(client, "post", API, token_for(cast.supervisor), data).status_code == 403
    assert call(client, "get", API, {}).status_code == 401


def test_it_lists_only_visible_courses(client, cast, token_for, course, other_course):
    body = call(client, "get", API, token_for(cast.therapist)).json()
    assert [c["id"] for c in body["items"]] == [course.pk]
    body = call(client, "get", API, token_for(cast.supervisor)).json()
    assert [c["id"] for c in body["items"]] == [course.pk]
    assert call(client, "get", API, token_for(cast.admin)).json()["count"] == 0
    assert call(client, "get", API, token_for(cast.client_user)).json()["count"] == 0


def test_it_keeps_the_course_list_query_count_flat(client, cast, token_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.courses.test_views import _bulk_courses

    headers = token_for(cast.therapist)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert call(client, "get", API, headers).status_code == 200
        return len(queries)

    _bulk_courses(cast.therapist, 5)
    count()  # the first request does one-off work (token use, audit chain)
    few = count()
    _bulk_courses(cast.therapist, 40)
    assert count() == few
