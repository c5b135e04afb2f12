"""Correcting a questionnaire's answers: rescored, alerts kept or raised, previous kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from openipt.assessments.corrections import correct_answers
from openipt.assessments.models import AdministrationAmendment, Alert
from openipt.assessments.services import AnswersRefused, submit_assessment
from openipt.courses.models import Course
from tests.factories import add_session, phq9_answers, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered(cast, course):
    """A PHQ-9 of 12 without a risk answer, typed in by the therapist for session 1."""
    session = add_session(course=course, number=1, date=today() - timedelta(days=7))
    return submit_assessment(
        cast.therapist, course, "phq9", phq9_answers(total=12), session=session
    ).administration


def test_it_rescores_and_keeps_the_previous_answers_and_score(cast, course, entered):
    done = correct_answers(
        cast.therapist, entered, phq9_answers(total=8), reason="Item 1 was typed as 3"
    )
    assert done.administration.total == 8
    assert {a.item: a.value for a in entered.item_answers.all()} == phq9_answers(total=8)
    previous = AdministrationAmendment.objects.get(administration=entered).previous
    assert previous["total"] == 12 and previous["answers"] == phq9_answers(total=12)
    assert previous["band"] == "moderate"
    assert Course.objects.get(pk=course.pk).phq9_last == 8  # the summary follows


def test_it_raises_an_alert_when_a_correction_newly_gives_a_risk_answer(cast, entered):
    done = correct_answers(
        cast.therapist, entered, phq9_answers(total=13, item9=1), reason="Missed item 9"
    )
    assert [(a.item, a.value, a.administration_id) for a in done.alerts] == [("9", 1, entered.pk)]
    assert Course.objects.get(pk=entered.course_id).open_alerts == 1


def test_it_never_clears_an_alert_when_the_risk_answer_is_corrected_away(cast, entered):
    correct_answers(cast.therapist, entered, phq9_answers(total=13, item9=1), reason="Item 9")
    done = correct_answers(cast.therapist, entered, phq9_answers(total=12), reason="Was 0")
    assert done.alerts == [] and [a.item for a in done.still_open] == ["9"]
    assert Alert.objects.open().filter(administration=entered).count() == 1
    assert Course.objects.get(pk=entered.course_id).open_alerts == 1


def test_it_keeps_the_alert_of_a_refused_correction_and_names_every_problem(cast, entered):
    bad = phq9_answers(total=10, item9=2) | {"3": 7}
    with pytest.raises(ValidationError) as refused:
        correct_answers(cast.therapist, entered, bad, reason="")
    assert {"reason", "answers"} <= set(refused.value.message_dict)
    assert Alert.objects.filter(item="9", value=2).exists()  # committed before the refusal
    with pytest.raises(AnswersRefused):
        correct_answers(cast.therapist, entered, bad, reason="Typo")
    assert entered.amendments.count() == 0


def test_it_refuses_no_change_and_a_future_day(cast, entered):
    with pytest.raises(ValidationError, match="Nothing was changed"):
        correct_answers(cast.therapist, entered, phq9_answers(total=12), reason="Check")
    with pytest.raises(ValidationError) as refused:
        correct_answers(
            cast.therapist,
            entered,
            phq9_answers(total=12),
            reason="Date",
            completed_on=today() + timedelta(days=1),
        )
    assert "completed_on" in refused.value.message_dict


def test_it_corrects_the_day_alone(cast, entered):
    day = today() - timedelta(days=9)
    done = correct_answers(
        cast.therapist, entered, phq9_answers(total=12), reason="Wrong day", completed_on=day
    )
    assert done.administration.completed_at.date() == day
    assert "completed_at" in done.amendment.previous


@pytest.mark.parametrize("who", ["supervisor", "outsider", "client_user"])
def test_it_lets_only_the_clinician_who_entered_it_correct(cast, entered, who):
    with pytest.raises(PermissionDenied):
        correct_answers(getattr(cast, who), entered, phq9_answers(total=8), reason="x")


def test_it_leaves_a_clients_own_answers_to_the_client(cast, course):
    own = submit_assessment(
        cast.client_user, course, "phq9", phq9_answers(total=12), completed_by="client"
    ).administration
    with pytest.raises(PermissionDenied):
        correct_answers(cast.therapist, own, phq9_answers(total=8), reason="x")


def test_it_corrects_on_the_page_and_shows_it_on_the_measures(cast, course, entered, login):
    url = reverse("assessments:correct", args=[course.pk, entered.pk])
    web = login(cast.therapist)
    assert "Correct PHQ-9" in web.get(url).content.decode()
    form = {f"item_{k}": str(v) for k, v in phq9_answers(total=8).items()}
    form |= {"completed_on": entered.completed_at.date().isoformat()}
    refused = web.post(url, form)
    assert (
        refused.status_code == 200 and "Say why the record is changed" in refused.content.decode()
    )
    assert web.post(url, form | {"reason": "Item 1 mistyped"}).status_code == 302
    detail = web.get(reverse("assessments:administration", args=[course.pk, entered.pk]))
    assert "Amended" in detail.content.decode() and "Total before" in detail.content.decode()
    measures = web.get(reverse("assessments:course", args=[course.pk])).content.decode()
    assert "Corrected questionnaires" in measures and "Item 1 mistyped" in measures
    supervisor = login(cast.supervisor)
    assert (
        "Item 1 mistyped"
        in supervisor.get(reverse("assessments:course", args=[course.pk])).content.decode()
    )
    assert supervisor.get(url).status_code == 403
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.client_user).get(url).status_code in (403, 404)


def test_it_corrects_through_the_api(cast, course, entered, token_for):
    from django.test import Client as WebClient

    url = f"/api/v1/courses/{course.pk}/assessments/{entered.pk}/correction"
    body = {"answers": phq9_answers(total=13, item9=1), "reason": "Missed item 9"}
    for who, status in (("supervisor", 403), ("outsider", 404)):
        other = WebClient(**token_for(getattr(cast, who)))
        assert other.post(url, json.dumps(body), "application/json").status_code == status
    api = WebClient(**token_for(cast.therapist))
    done = api.post(url, json.dumps(body), "application/json")
    assert done.status_code == 200, done.content
    data = done.json()
    assert data["assessment"]["total"] == 13 and data["previous"]["total"] == 12
    assert [a["item"] for a in data["alerts"]] == ["9"]
    bad = api.post(url, json.dumps({"answers": {"1": True}, "reason": "x"}), "application/json")
    assert bad.status_code in (400, 422)
