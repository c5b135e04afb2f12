"""submit_assessment and resolve_alert: refusals, risk alerts that survive, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import override_settings

from openipt.assessments.models import Administration, Alert, ItemAnswer
from openipt.assessments.services import (
    AlreadyResolved,
    AnswersRefused,
    resolve_alert,
    submit_assessment,
)
from tests.factories import add_session, gad7_answers, make_course, phq9_answers

pytestmark = pytest.mark.django_db

BAD_ANSWER_SETS = [
    pytest.param(phq9_answers(total=10) | {"1": True}, "Item 1", id="boolean"),
    pytest.param(phq9_answers(total=10) | {"3": "2"}, "Item 3", id="text"),
    pytest.param(phq9_answers(total=10) | {"4": 2.0}, "Item 4", id="float"),
    pytest.param(phq9_answers(total=10) | {"5": 4}, "Item 5", id="out-of-range"),
    pytest.param(phq9_answers(total=10) | {"5": -1}, "Item 5", id="negative"),
    pytest.param(phq9_answers(total=10) | {"11": 1}, "Item 11", id="unknown-item"),
    pytest.param(
        {k: v for k, v in phq9_answers(total=10).items() if k != "8"}, "Item 8", id="missing"
    ),
    pytest.param(phq9_answers(total=10) | {"8": None}, "Item 8", id="none"),
    pytest.param(phq9_answers(total=10) | {"10": "very"}, "Item 10", id="optional-item-bad"),
    pytest.param({}, "Item 1", id="empty"),
]


def _nothing_stored():
    assert Administration.objects.count() == 0
    assert ItemAnswer.objects.count() == 0


@pytest.mark.parametrize(("answers", "names"), BAD_ANSWER_SETS)
def test_it_refuses_every_bad_answer_set_with_a_message_naming_the_item(
    cast, course, answers, names
):
    with pytest.raises(AnswersRefused) as refused:
        submit_assessment(cast.therapist, course, "phq9", answers)
    assert names in " ".join(refused.value.messages)
    _nothing_stored()
    course.refresh_from_db()
    assert course.phq9_first is None
    assert course.latest_score_at is None


def test_it_refuses_answers_that_are_not_a_mapping(cast, course):
    with pytest.raises(ValidationError):
        submit_assessment(cast.therapist, course, "phq9", [1, 2, 3])  # type: ignore[arg-type]
    _nothing_stored()


def test_it_refuses_an_unknown_instrument_naming_the_known_ones(cast, course):
    with pytest.raises(ValidationError) as refused:
        submit_assessment(cast.therapist, course, "bdi2", {"1": 1})
    assert "bdi2" in str(refused.value) and "phq9" in str(refused.value)


def test_it_stores_answers_item_by_item_with_version_total_and_band(cast, course):
    session = add_session(course=course, number=1)
    answers = phq9_answers(total=12) | {"10": 1}
    done = submit_assessment(cast.therapist, course, "phq9", answers, session=session)
    admin = done.administration
    assert (admin.instrument, admin.version, admin.total, admin.band) == (
        "phq9",
        "1.0",
        12,
        "moderate",
    )
    stored = {a.item: (a.value, a.scored) for a in admin.item_answers.all()}
    assert stored["10"] == (1, False)
    assert len(stored) == 10
    assert done.alerts == []
    course.refresh_from_db()
    assert (course.phq9_first, course.phq9_last) == (12, 12)
    assert course.latest_score_at == admin.completed_at


def test_it_raises_an_alert_on_item_9_above_zero_and_links_it(cast, course):
    done = submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=14, item9=1))
    (alert,) = done.alerts
    assert (alert.item, alert.value, alert.status) == ("9", 1, "open")
    assert alert.administration == done.administration
    assert done.administration.risk_items == ["9"]
    course.refresh_from_db()
    assert course.open_alerts == 1


def test_it_raises_no_alert_for_item_9_at_zero(cast, course):
    done = submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=20, item9=0))
    assert done.alerts == []
    assert Alert.objects.count() == 0


@pytest.mark.parametrize(
    "bad",
    [{"1": True}, {"2": "3"}, {"11": 0}, {"3": 9}],
    ids=["boolean", "text", "unknown", "out-of-range"],
)
def test_it_keeps_a_risk_alert_when_the_rest_of_the_submission_is_refused(cast, course, bad):
    answers = phq9_answers(total=10, item9=2) | bad
    with pytest.raises(AnswersRefused) as refused:
        submit_assessment(cast.therapist, course, "phq9", answers)
    _nothing_stored()
    (alert,) = Alert.objects.all()
    assert (alert.item, alert.value, alert.administration) == ("9", 2, None)
    assert refused.value.alerts == [alert]
    assert "alert raised" in " ".join(refused.value.messages)
    course.refresh_from_db()
    assert course.open_alerts == 1


def test_it_keeps_the_alert_even_when_the_session_is_refused(cast, course, other_course):
    foreign = add_session(course=other_course, number=1)
    with pytest.raises(ValidationError):
        submit_assessment(
            cast.therapist, course, "phq9", phq9_answers(total=10, item9=1), session=foreign
        )
    _nothing_stored()
    assert Alert.objects.filter(course=course, status="open").count() == 1


def test_it_reuses_the_alert_of_a_refused_form_when_it_is_resubmitted(cast, course):
    with pytest.raises(AnswersRefused):
        submit_assessment(
            cast.therapist, course, "phq9", phq9_answers(total=10, item9=1) | {"1": 7}
        )
    done = submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=10, item9=1))
    assert Alert.objects.count() == 1
    assert done.alerts[0].administration == done.administration


def test_it_ignores_an_invalid_answer_to_the_risk_item_itself(cast, course):
    with pytest.raises(AnswersRefused):
        submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=10) | {"9": True})
    with pytest.raises(AnswersRefused):
        submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=10) | {"9": "3"})
    assert Alert.objects.count() == 0


@override_settings(OPENIPT_RISK_ITEMS=(("gad7", "7", 3),))
def test_it_raises_alerts_on_risk_items_a_service_adds(cast, course):
    answers = gad7_answers(total=12)
    answers["7"], answers["1"] = 3, answers["1"] - (3 - answers["7"])
    done = submit_assessment(cast.therapist, course, "gad7", answers)
    assert [(a.instrument, a.item, a.value) for a in done.alerts] == [("gad7", "7", 3)]
    with pytest.raises(AnswersRefused):
        submit_assessment(cast.therapist, course, "gad7", answers | {"2": False})
    assert Alert.objects.filter(administration=None).count() == 1


def test_it_refuses_a_second_score_of_the_same_instrument_in_a_session(cast, course):
    session = add_session(course=course, number=1)
    submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=10), session=session)
    with pytest.raises(ValidationError, match="already recorded for session 1"):
        submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=11), session=session)
    assert Administration.objects.count() == 1


def test_it_refuses_a_session_that_was_not_attended(cast, course):
    missed = add_session(course=course, number=1, attendance="did_not_attend")
    with pytest.raises(ValidationError, match="attended session"):
        submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=10), session=missed)


def test_it_refuses_supervisors_outsiders_and_other_clients(cast, course):
    for actor in (cast.supervisor, cast.outsider, cast.admin):
        with pytest.raises(PermissionDenied):
            submit_assessment(actor, course, "phq9", phq9_answers(total=10))
    with pytest.raises(PermissionDenied):
        submit_assessment(cast.client_user, course, "phq9", phq9_answers(total=10))  # as clinician
    other = make_course(client=cast.other_client)
    with pytest.raises(PermissionDenied):
        submit_assessment(
            cast.client_user, other, "phq9", phq9_answers(total=10), completed_by="client"
        )
    _nothing_stored()


def test_it_lets_the_client_submit_their_own_questionnaire(cast, course):
    done = submit_assessment(
        cast.client_user, course, "phq9", phq9_answers(total=9, item9=1), completed_by="client"
    )
    assert done.administration.completed_by == "client"
    assert done.alerts[0].raised_by == cast.client_user


def test_it_refuses_to_run_inside_a_callers_transaction(cast, course):
    with pytest.raises(RuntimeError, match="outside"), transaction.atomic():
        submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=10, item9=1))
    assert Alert.objects.count() == 0


def _open_alert(cast, course):
    return submit_assessment(
        cast.therapist, course, "phq9", phq9_answers(total=10, item9=1)
    ).alerts[0]


@pytest.mark.parametrize(
    ("action", "note", "field"),
    [("", "Spoke to client", "action"), ("risk_assessed", "   ", "note"), ("shrug", "x", "action")],
)
def test_it_requires_an_action_and_a_note_to_resolve(cast, course, action, note, field):
    alert = _open_alert(cast, course)
    with pytest.raises(ValidationError) as refused:
        resolve_alert(cast.therapist, alert, action, note)
    assert field in refused.value.message_dict
    alert.refresh_from_db()
    assert alert.status == "open"


def test_it_resolves_an_alert_and_keeps_it_in_the_record(cast, course):
    alert = _open_alert(cast, course)
    resolved = resolve_alert(cast.therapist, alert, "safety_plan", "  Safety plan reviewed.  ")
    assert (resolved.status, resolved.action, resolved.note) == (
        "resolved",
        "safety_plan",
        "Safety plan reviewed.",
    )
    assert resolved.resolved_by == cast.therapist and resolved.resolved_at is not None
    assert Alert.objects.filter(pk=alert.pk).exists()
    course.refresh_from_db()
    assert course.open_alerts == 0
    with pytest.raises(AlreadyResolved):
        resolve_alert(cast.therapist, alert, "escalated", "again")


def test_it_lets_only_the_courses_therapist_resolve(cast, course):
    alert = _open_alert(cast, course)
    for actor in (cast.supervisor, cast.outsider, cast.client_user):
        with pytest.raises(PermissionDenied):
            resolve_alert(actor, alert, "risk_assessed", "note")


def test_it_refuses_control_characters_in_the_note(cast, course):
    alert = _open_alert(cast, course)
    with pytest.raises(ValidationError):
        resolve_alert(cast.therapist, alert, "risk_assessed", "bad \x00 byte")
    alert.refresh_from_db()
    assert alert.status == "open"


def test_it_raises_risk_alerts_ahead_of_the_form_and_reuses_them(cast, course):
    from openipt.assessments.services import raise_risk_alerts

    assert raise_risk_alerts(cast.client_user, course, "phq9", {"1": 2}) == []
    (alert,) = raise_risk_alerts(cast.client_user, course, "phq9", {"9": 1})
    assert alert.administration is None
    course.refresh_from_db()
    assert course.open_alerts == 1
    done = submit_assessment(
        cast.client_user, course, "phq9", phq9_answers(total=10, item9=1), completed_by="client"
    )
    assert [a.pk for a in done.alerts] == [alert.pk]
    with pytest.raises(PermissionDenied):
        raise_risk_alerts(cast.outsider, course, "phq9", {"9": 1})
