from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openipt.assessments.models import Administration, Alert
from openipt.measures import get_instrument
from openipt.portal import questionnaires as q
from openipt.portal.models import PortalDraft
from tests.factories import add_session, phq9_answers

pytestmark = pytest.mark.django_db

PHQ9 = get_instrument("phq9")


def _answer_all(user, draft, answers):
    for item in PHQ9.items:
        if item.id in answers:
            q.save_answer(user, draft, item, answers[item.id])


def test_it_lists_the_scheduled_questionnaires_as_due(cast, course):
    due = q.due_questionnaires(course)
    assert [d.code for d in due] == ["phq9", "gad7"]
    assert due[0].name == "PHQ-9" and due[0].total == 10 and due[0].answered == 0


def test_it_lists_nothing_for_an_ended_course_or_no_course(cast, course):
    course.status = "ended"
    course.save()
    assert q.due_questionnaires(course) == []
    assert q.due_questionnaires(None) == []


def test_it_starts_a_draft_once_and_resumes_it(cast, course):
    first = q.start(cast.client_user, course, "phq9")
    q.save_answer(cast.client_user, first, PHQ9.items[0], 2)
    again = q.start(cast.client_user, course, "phq9")
    assert again.pk == first.pk and again.answers == {"1": 2}
    assert q.due_questionnaires(course)[0].answered == 1
    assert q.first_unanswered(again) == 2


def test_it_refuses_to_start_what_is_not_due(cast, course):
    with pytest.raises(ValidationError):
        q.start(cast.client_user, course, "who5")
    assert not PortalDraft.objects.exists()


def test_it_lets_only_the_client_answer(cast, course, other):
    for actor in (cast.therapist, cast.supervisor, other.user):
        with pytest.raises(PermissionDenied):
            q.start(actor, course, "phq9")
    draft = q.start(cast.client_user, course, "phq9")
    with pytest.raises(PermissionDenied):
        q.save_answer(other.user, draft, PHQ9.items[0], 1)


@pytest.mark.parametrize("value", [4, -1, True, "2", None, 1.0])
def test_it_refuses_an_answer_that_is_not_an_option(cast, course, value):
    draft = q.start(cast.client_user, course, "phq9")
    with pytest.raises(ValidationError):
        q.save_answer(cast.client_user, draft, PHQ9.items[0], value)
    draft.refresh_from_db()
    assert draft.answers == {}


def test_it_raises_the_alert_as_soon_as_the_risk_answer_is_saved(cast, course):
    draft = q.start(cast.client_user, course, "phq9")
    for item in PHQ9.items[:8]:
        q.save_answer(cast.client_user, draft, item, 1)
    alerts = q.save_answer(cast.client_user, draft, PHQ9.item("9"), 2)
    assert len(alerts) == 1
    alert = Alert.objects.get()
    assert (alert.item, alert.value, alert.status) == ("9", 2, "open")
    assert alert.raised_by == cast.client_user and alert.administration is None
    course.refresh_from_db()
    assert course.open_alerts == 1
    assert not Administration.objects.exists()  # nothing scored before the client finishes
    draft.refresh_from_db()
    assert q.has_risk(draft) and draft.alerts[0]["id"] == alert.pk


def test_it_keeps_the_alert_when_the_client_leaves_half_way(cast, course):
    draft = q.start(cast.client_user, course, "phq9")
    q.save_answer(cast.client_user, draft, PHQ9.item("9"), 1)
    assert Alert.objects.filter(course=course, status="open").count() == 1
    assert PortalDraft.objects.filter(pk=draft.pk).exists()


def test_it_finishes_with_one_score_and_attaches_the_alert_without_a_second(cast, course):
    draft = q.start(cast.client_user, course, "phq9")
    _answer_all(cast.client_user, draft, phq9_answers(total=14, item9=2))
    q.save_answer(cast.client_user, draft, PHQ9.item("9"), 2)  # saved twice: still one alert
    result = q.finish(cast.client_user, draft)
    admin = Administration.objects.get()
    assert result.administration == admin
    assert (admin.total, admin.completed_by, admin.risk_items) == (14, "client", ["9"])
    assert list(Alert.objects.values_list("administration", flat=True)) == [admin.pk]
    assert not PortalDraft.objects.exists()
    course.refresh_from_db()
    assert course.phq9_first == course.phq9_last == 14
    assert [d.code for d in q.due_questionnaires(course)] == ["gad7"]


def test_it_raises_a_new_alert_when_the_risk_answer_gets_worse(cast, course):
    draft = q.start(cast.client_user, course, "phq9")
    q.save_answer(cast.client_user, draft, PHQ9.item("9"), 1)
    q.save_answer(cast.client_user, draft, PHQ9.item("9"), 3)
    assert sorted(Alert.objects.values_list("value", flat=True)) == [1, 3]


def test_it_finishes_without_risk_and_raises_nothing(cast, course):
    draft = q.start(cast.client_user, course, "phq9")
    _answer_all(cast.client_user, draft, phq9_answers(total=6))
    q.finish(cast.client_user, draft)
    assert Administration.objects.get().total == 6
    assert not Alert.objects.exists()


def test_it_refuses_to_finish_with_an_unanswered_question(cast, course):
    draft = q.start(cast.client_user, course, "phq9")
    answers = phq9_answers(total=6)
    del answers["4"]
    _answer_all(cast.client_user, draft, answers)
    with pytest.raises(ValidationError) as error:
        q.finish(cast.client_user, draft)
    assert "Question 4" in str(error.value)
    assert PortalDraft.objects.filter(pk=draft.pk).exists()
    assert not Administration.objects.exists()


def test_it_refuses_a_second_finish_of_the_same_draft(cast, course):
    draft = q.start(cast.client_user, course, "phq9")
    _answer_all(cast.client_user, draft, phq9_answers(total=6))
    q.finish(cast.client_user, draft)
    with pytest.raises(q.AlreadySent):
        q.finish(cast.client_user, draft)
    assert Administration.objects.count() == 1


def test_it_skips_only_optional_questions(cast, course):
    draft = q.start(cast.client_user, course, "phq9")
    q.save_answer(cast.client_user, draft, PHQ9.item("10"), 1)
    q.skip_answer(cast.client_user, draft, PHQ9.item("10"))
    draft.refresh_from_db()
    assert "10" not in draft.answers
    with pytest.raises(ValidationError):
        q.skip_answer(cast.client_user, draft, PHQ9.item("1"))


def test_it_counts_the_clients_score_for_the_next_session(cast, course):
    add_session(course=course, number=1)
    draft = q.start(cast.client_user, course, "phq9")
    _answer_all(cast.client_user, draft, phq9_answers(total=9))
    q.finish(cast.client_user, draft)
    assert "phq9" not in [d.code for d in q.due_questionnaires(course)]


def test_it_starts_afresh_when_a_session_was_held_since_the_draft_began(cast, course):
    import datetime

    from django.utils import timezone

    draft = q.start(cast.client_user, course, "phq9")
    q.save_answer(cast.client_user, draft, PHQ9.items[0], 3)
    PortalDraft.objects.filter(pk=draft.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=10)
    )
    course.last_session_on = timezone.localdate() - datetime.timedelta(days=3)
    course.save()
    assert q.due_questionnaires(course)[0].draft is None
    fresh = q.start(cast.client_user, course, "phq9")
    assert fresh.pk != draft.pk and fresh.answers == {}
    assert PortalDraft.objects.count() == 1
