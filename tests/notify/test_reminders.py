"""Reminders reach clients who agreed, by their channel, outside quiet hours, once each."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from openipt.measures import get_instrument
from openipt.notify import sms
from openipt.notify.models import ClientContact, Notification
from openipt.notify.reminders import remind_clients
from openipt.portal import questionnaires
from tests.factories import make_course
from tests.notify.conftest import cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(cast):
    cast.client.email = "carla@example.org"
    cast.client.save(update_fields=["email"])
    make_course(client=cast.client)
    return ClientContact.objects.create(client=cast.client, reminders_agreed=True)


def test_it_reminds_of_a_due_questionnaire_once(agreed):
    assert remind_clients() == 2  # the PHQ-9 and the GAD-7 are due
    assert remind_clients() == 0
    cycle()
    assert [m.to for m in mail.outbox] == [["carla@example.org"], ["carla@example.org"]]
    assert "questionnaire" in mail.outbox[0].body and "/portal/" in mail.outbox[0].body


def test_it_reminds_of_an_unfinished_questionnaire_after_a_day(agreed, cast):
    course = cast.client.courses.get()
    draft = questionnaires.start(cast.client_user, course, "phq9")
    questionnaires.save_answer(cast.client_user, draft, get_instrument("phq9").items[0], 1)
    later = timezone.now() + datetime.timedelta(hours=25)
    remind_clients(later)
    kinds = set(Notification.objects.values_list("key", flat=True))
    assert f"reminder:unfinished:{course.pk}:{draft.pk}" in kinds


def test_it_sends_nothing_without_agreement(agreed):
    agreed.reminders_agreed = False
    agreed.save()
    assert remind_clients() == 0


def test_it_texts_when_the_client_prefers_it(agreed):
    agreed.channel, agreed.mobile = "sms", "+447700900123"
    agreed.save()
    remind_clients()
    cycle()
    assert mail.outbox == []
    assert [to for to, _ in sms.outbox] == ["+447700900123", "+447700900123"]


def test_it_waits_for_the_end_of_quiet_hours(agreed, settings):
    settings.OPENIPT_QUIET_HOURS = "00:00-23:59"
    remind_clients()
    cycle()
    assert mail.outbox == []
    message = Notification.objects.filter(kind="reminder").first()
    assert message.status == "pending" and message.next_attempt_at > timezone.now()
