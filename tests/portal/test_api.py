from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from openipt.portal import links
from openipt.portal.models import ClientTask, MoodEntry, PortalLink
from tests.factories import add_session, make_user

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _json(client, method, path, headers, body=None):
    call = getattr(client, method)
    if body is None:
        return call(path, **headers)
    return call(path, data=json.dumps(body), content_type="application/json", **headers)


def test_it_makes_an_invitation_for_the_therapist(cast, client, token_for):
    response = _json(client, "post", f"{API}/clients/{cast.client.pk}/portal-invitation",
                     token_for(cast.therapist), {})  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert links.check_link("invitation", body["code"]).client == cast.client
    assert body["url"].endswith(f"/portal/join/{body['code']}/") and body["emailed_to"] == ""


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("supervisor", 403),
                                             ("client_user", 403), ("admin", 404)])  # fmt: skip
def test_it_refuses_invitations_to_anyone_else(cast, client, token_for, who, status):
    response = _json(client, "post", f"{API}/clients/{cast.client.pk}/portal-invitation",
                     token_for(getattr(cast, who)), {})  # fmt: skip
    assert response.status_code == status and "detail" in response.json()
    assert not PortalLink.objects.exists()


def test_it_refuses_an_invitation_by_email_without_an_address(cast, client, token_for):
    response = _json(client, "post", f"{API}/clients/{cast.client.pk}/portal-invitation",
                     token_for(cast.therapist), {"send_email": True})  # fmt: skip
    assert response.status_code == 400 and "e-mail" in response.json()["detail"]
    response = _json(client, "post", f"{API}/clients/{cast.client.pk}/portal-invitation",
                     token_for(cast.therapist), {"send_email": 1})  # fmt: skip
    assert response.status_code == 422


def test_it_logs_mood_for_the_client_and_shows_it_to_the_therapist(cast, course, client, token_for):
    headers = token_for(cast.client_user)
    response = _json(client, "put", f"{API}/portal/mood/today", headers,
                     {"mood": 6, "contacts": 2, "note": "Choir"})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["date"] == timezone.localdate().isoformat()
    assert _json(client, "get", f"{API}/portal/mood", headers).json()[0]["mood"] == 6
    seen = _json(client, "get", f"{API}/courses/{course.pk}/mood", token_for(cast.therapist))
    assert seen.status_code == 200 and seen.json()[0]["contacts"] == 2
    for who, status in (("outsider", 404), ("client_user", 404)):
        other = _json(
            client, "get", f"{API}/courses/{course.pk}/mood", token_for(getattr(cast, who))
        )
        assert other.status_code == status


@pytest.mark.parametrize("body", [{"mood": 11, "contacts": 0}, {"mood": True, "contacts": 0},
                                  {"mood": 5, "contacts": -1}, {"mood": 5, "contacts": 1, "x": 1},
                                  {"mood": "5", "contacts": 1}])  # fmt: skip
def test_it_refuses_bad_mood_values(cast, course, client, token_for, body):
    response = _json(client, "put", f"{API}/portal/mood/today", token_for(cast.client_user), body)
    assert response.status_code == 422
    assert not MoodEntry.objects.exists()


def test_it_keeps_staff_out_of_the_clients_own_endpoints(cast, course, client, token_for):
    for path in ("/portal/mood", "/portal/tasks"):
        assert _json(client, "get", API + path, token_for(cast.therapist)).status_code == 403
    response = _json(client, "put", f"{API}/portal/mood/today", token_for(cast.therapist),
                     {"mood": 5, "contacts": 1})  # fmt: skip
    assert response.status_code == 403


def test_it_ticks_only_the_clients_own_tasks(cast, course, other, client, token_for):
    add_session(course=course, number=1, work="Call my sister")
    add_session(course=other.course, number=1, work="Their task")
    mine = ClientTask.objects.get(course=course)
    theirs = ClientTask.objects.get(course=other.course)
    headers = token_for(cast.client_user)
    listed = _json(client, "get", f"{API}/portal/tasks", headers).json()
    assert [t["text"] for t in listed] == ["Call my sister"] and listed[0]["session_number"] == 1
    response = _json(client, "patch", f"{API}/portal/tasks/{mine.pk}", headers, {"done": True})
    assert response.status_code == 200 and response.json()["done"] is True
    response = _json(client, "patch", f"{API}/portal/tasks/{theirs.pk}", headers, {"done": True})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_done


def test_it_says_when_the_client_has_no_course_yet(cast, client, token_for):
    response = _json(client, "get", f"{API}/portal/mood", token_for(cast.client_user))
    assert response.status_code == 403 and "not started" in response.json()["detail"]


def test_it_lists_only_the_last_four_weeks(cast, course, client, token_for):
    today = timezone.localdate()
    for days in (0, 27, 28, 40):
        MoodEntry.objects.create(
            course=course, date=today - datetime.timedelta(days=days), mood=5, contacts=1
        )
    body = _json(client, "get", f"{API}/portal/mood", token_for(cast.client_user)).json()
    assert len(body) == 2


def test_it_lists_the_clients_due_questionnaires_with_progress(cast, course, client, token_for):
    from openipt.portal import questionnaires

    draft = questionnaires.start(cast.client_user, course, "phq9")
    questionnaires.save_answer(
        cast.client_user, draft, questionnaires.instrument_of(draft).items[0], 1
    )
    response = _json(client, "get", f"{API}/portal/questionnaires", token_for(cast.client_user))
    assert response.status_code == 200, response.content
    due = response.json()
    assert [d["code"] for d in due] == ["phq9", "gad7"]
    assert due[0] == {"code": "phq9", "name": "PHQ-9", "answered": 1, "total": 10,
                      "url": "/portal/questionnaires/phq9/"}  # fmt: skip


def test_it_shows_the_clients_own_plan_in_plain_words(cast, course, other, client, token_for):
    from openipt.courses.models import Focus, Goal

    Goal.objects.create(course=course, text="Feel closer to my sister", position=1)
    Goal.objects.create(course=other.course, text="Their goal", position=1)
    Focus.objects.create(
        course=course, area="role_transition", chosen_on=course.started_on,
        recorded_by=cast.therapist,
    )  # fmt: skip
    response = _json(client, "get", f"{API}/portal/plan", token_for(cast.client_user))
    assert response.status_code == 200, response.content
    plan = response.json()
    assert plan["course_id"] == course.pk
    assert [(g["text"], g["status"]) for g in plan["goals"]] == [
        ("Feel closer to my sister", "open")
    ]
    [area] = plan["areas"]
    assert area["code"] == "role_transition" and "Changes in life" in area["text"]
    assert {"S1", "S45"} <= {s["tag"] for s in area["sources"]}
    theirs = _json(client, "get", f"{API}/portal/plan", token_for(other.user)).json()
    assert [g["text"] for g in theirs["goals"]] == ["Their goal"] and theirs["areas"] == []


@pytest.mark.parametrize("path", ["/portal/questionnaires", "/portal/plan", "/portal/tasks",
                                  "/portal/mood"])  # fmt: skip
@pytest.mark.parametrize("who", ["therapist", "supervisor", "outsider", "admin"])
def test_it_refuses_staff_every_client_only_read(cast, course, client, token_for, path, who):
    response = _json(client, "get", API + path, token_for(getattr(cast, who)))
    assert response.status_code == 403
    assert response.json()["detail"] == "Only clients have a portal."


@pytest.mark.parametrize("path", ["/portal/questionnaires", "/portal/plan", "/portal/tasks"])
def test_it_asks_strangers_to_authenticate(client, path):
    response = client.get(API + path)
    assert response.status_code == 401 and "detail" in response.json()


def test_it_answers_404_to_a_client_account_without_a_record(cast, client, token_for):
    response = _json(
        client, "get", f"{API}/portal/plan", token_for(make_user(username="loose", role="client"))
    )
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_it_refuses_staff_ticking_a_clients_task(cast, course, client, token_for):
    add_session(course=course, number=1, work="Call my sister")
    task = ClientTask.objects.get()
    response = _json(client, "patch", f"{API}/portal/tasks/{task.pk}",
                     token_for(cast.therapist), {"done": True})  # fmt: skip
    assert response.status_code == 403
    task.refresh_from_db()
    assert not task.is_done
    response = _json(client, "patch", f"{API}/portal/tasks/999999",
                     token_for(cast.client_user), {"done": True})  # fmt: skip
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_it_says_why_the_log_is_closed_after_the_course(cast, course, client, token_for):
    course.status = "ended"
    course.save()
    response = _json(client, "put", f"{API}/portal/mood/today", token_for(cast.client_user),
                     {"mood": 5, "contacts": 1})  # fmt: skip
    assert response.status_code == 400 and "ended" in response.json()["detail"]
