"""No message that leaves OpenIPT carries clinical text: every e-mail and text message of an
alert, its escalation, reminders and the digest is searched for the client's name, record
number, answers, notes and scores."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from openipt.assessments.services import resolve_alert, submit_assessment
from openipt.notify import sms
from openipt.notify.digest import send_digests
from openipt.notify.models import ClientContact, Notification
from openipt.notify.reminders import remind_clients
from openipt.privacy.services import add_note
from tests.factories import make_course, phq9_answers
from tests.notify.conftest import cycle

pytestmark = pytest.mark.django_db

NOTE = "Carla spoke of her brother's funeral and sleeping badly"


def test_no_sent_message_holds_the_clients_answers_notes_or_scores(staff):
    cast = staff
    cast.client.email = "carla@example.org"
    cast.client.save(update_fields=["email"])
    ClientContact.objects.create(client=cast.client, reminders_agreed=True)
    course = make_course(client=cast.client)
    add_note(cast.therapist, course, NOTE)
    answers = phq9_answers(total=17, item9=3)
    submitted = submit_assessment(cast.therapist, course, "phq9", answers)
    remind_clients()  # now: a later cycle at a quarter hour would write it for later
    cycle()
    cycle(timezone.now() + datetime.timedelta(minutes=40))  # the supervisor
    cycle(timezone.now() + datetime.timedelta(minutes=80))  # the duty contact
    resolve_alert(cast.therapist, submitted.alerts[0], "risk_assessed", "Plan agreed with Carla.")
    send_digests()
    cycle()
    texts = [f"{m.subject}\n{m.body}" for m in mail.outbox] + [text for _, text in sms.outbox]
    texts += list(Notification.objects.values_list("body", flat=True))
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"alert", "escalation", "reminder", "digest"} <= kinds
    assert len(mail.outbox) >= 5
    forbidden = [
        cast.client.name, "Carla", cast.client.record_number, "PHQ", "phq9", "item 9",
        "funeral", "brother", "Plan agreed", "severe", "moderately",
        str(submitted.administration.total),
    ]  # fmt: skip
    for text in texts:
        for word in forbidden:
            assert word.lower() not in text.lower(), f"{word!r} in a sent message:\n{text}"
        # Numbers only in links and in the digest's team counts.
        lines = [
            line for line in text.splitlines() if "://" not in line and not line.startswith("- ")
        ]
        assert not re.search(r"\b\d+\b", " ".join(lines)), text
