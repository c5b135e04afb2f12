"""Erasure: hidden at once, restorable until the purge, then gone but for a pseudonym."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from openipt.cli import app
from openipt.clients.models import Client
from openipt.courses.models import Course, Session
from openipt.privacy import erasure, services
from openipt.privacy.models import Erasure, PsychotherapyNote
from openipt.privacy.records import client_holdings
from tests.factories import make_alert

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _age(record: Erasure, days: int) -> None:
    Erasure.objects.filter(pk=record.pk).update(erased_at=timezone.now() - timedelta(days=days))


def test_it_erases_through_the_page_after_reauthentication(cast, course, reauthed):
    c = reauthed(cast.therapist)
    url = reverse("privacy:erase", args=[cast.client.pk])
    wrong = c.post(url, {"record_number": "R-9"})
    assert wrong.status_code == 200
    assert b"not the client" in wrong.content
    assert not Erasure.objects.exists()
    response = c.post(url, {"record_number": "R-1", "reason": "Client asked"})
    assert response.status_code == 302
    record = Erasure.objects.get()
    assert record.client == cast.client and record.reason == "Client asked"
    cast.client_user.refresh_from_db()
    assert cast.client_user.is_active is False
    overview = c.get(reverse("privacy:client", args=[cast.client.pk]))
    assert b"This record is erased" in overview.content
    # An erased record can no longer be worked on or exported.
    assert c.get(reverse("privacy:consents", args=[cast.client.pk])).status_code == 404
    assert c.get(reverse("privacy:export", args=[cast.client.pk])).status_code == 404
    assert c.get(reverse("privacy:notes", args=[course.pk])).status_code == 404


def test_it_asks_for_the_password_again_before_erasing(cast, login):
    response = login(cast.therapist).post(
        reverse("privacy:erase", args=[cast.client.pk]), {"record_number": "R-1"}
    )
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert not Erasure.objects.exists()


def test_it_refuses_erasure_to_anyone_but_the_therapist(cast, reauthed):
    url = reverse("privacy:erase", args=[cast.client.pk])
    assert reauthed(cast.supervisor).post(url, {"record_number": "R-1"}).status_code == 403
    assert reauthed(cast.outsider).post(url, {"record_number": "R-1"}).status_code == 404
    assert reauthed(cast.client_user).post(url, {"record_number": "R-1"}).status_code == 403
    assert not Erasure.objects.exists()


def test_it_restores_an_erased_record_before_the_purge(cast, login):
    erasure.erase_client(cast.therapist, cast.client)
    c = login(cast.therapist)
    assert (
        login(cast.outsider)
        .post(reverse("privacy:cancel_erasure", args=[cast.client.pk]))
        .status_code
        == 404
    )
    c = login(cast.therapist)
    response = c.post(reverse("privacy:cancel_erasure", args=[cast.client.pk]))
    assert response.status_code == 302
    assert not Erasure.objects.exists()
    cast.client_user.refresh_from_db()
    assert cast.client_user.is_active is True


def test_it_refuses_to_erase_twice(cast):
    erasure.erase_client(cast.therapist, cast.client)
    with pytest.raises(ValidationError, match="already erased"):
        erasure.erase_client(cast.therapist, cast.client)


def test_it_gives_a_stable_pseudonym_that_is_not_the_id(cast):
    first = erasure.pseudonym_for(cast.client.pk)
    assert first == erasure.pseudonym_for(cast.client.pk)
    assert first != erasure.pseudonym_for(cast.other_client.pk)
    assert first.startswith("client-") and len(first) == len("client-") + 16


def test_it_purges_only_after_the_retention_period(cast, course, session_row, note, settings):
    settings.OPENIPT_RETENTION_DAYS = 30
    record = erasure.erase_client(cast.therapist, cast.client)
    assert erasure.purge_due() == []
    assert Client.objects.filter(pk=cast.client.pk).exists()
    _age(record, 31)
    results = erasure.purge_due()
    assert [r.pseudonym for r in results] == [record.pseudonym]
    assert not Client.objects.filter(pk=cast.client.pk).exists()
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not Session.objects.exists()
    assert not PsychotherapyNote.objects.exists()
    record.refresh_from_db()
    assert record.client is None and record.purged_at is not None
    # Other clients are untouched.
    assert Client.objects.filter(pk=cast.other_client.pk).exists()
    # The portal account is kept only as an inactive pseudonym.
    cast.client_user.refresh_from_db()
    assert cast.client_user.username == record.pseudonym
    assert not cast.client_user.is_active and not cast.client_user.has_usable_password()
    assert cast.client_user.display_name == ""


def test_it_deletes_every_holding_of_the_client(cast, course, session_row, note):
    services.record_consent(
        cast.therapist, cast.client, topic="treatment", given_on=course.started_on
    )
    services.record_disclosure(
        cast.therapist,
        cast.client,
        notes=[note],
        recipient="GP",
        purpose="letter",
        authorised_by="client",
        authorised_on=course.started_on,
    )
    record = erasure.erase_client(cast.therapist, cast.client)
    erasure.purge_one(record)
    for holding in client_holdings():
        if holding.label != "privacy.Erasure":
            assert not holding.rows(cast.client.pk).exists(), holding.label


def test_it_leaves_a_pseudonymous_write_log(cast, course):
    from auditlog.models import LogEntry

    record = erasure.erase_client(cast.therapist, cast.client)
    erasure.purge_one(record)
    for entry in LogEntry.objects.all():
        text = f"{entry.object_repr} {entry.changes} {entry.serialized_data} {entry.changes_text}"
        assert "Carla" not in text and "R-1" not in text, entry
        assert '"cli"' not in str(entry.changes), entry  # the portal username is gone too
    assert LogEntry.objects.filter(object_repr=record.pseudonym).exists()


def test_it_erases_and_purges_from_the_command_line(cast, settings):
    settings.OPENIPT_RETENTION_DAYS = 0
    result = runner.invoke(app, ["erase", "--client", str(cast.client.pk), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Erased client" in result.output
    record = Erasure.objects.get()
    assert record.recorded_by is None
    dry = runner.invoke(app, ["purge", "--dry-run"])
    assert f"Would purge {record.pseudonym}" in dry.output
    assert Client.objects.filter(pk=cast.client.pk).exists()
    done = runner.invoke(app, ["purge"])
    assert done.exit_code == 0, done.output
    assert "1 records purged" in done.output
    assert not Client.objects.filter(pk=cast.client.pk).exists()


def test_it_asks_before_erasing_from_the_command_line(cast):
    result = runner.invoke(app, ["erase", "--client", str(cast.client.pk)], input="n\n")
    assert result.exit_code == 1
    assert "Nothing erased" in result.output
    assert not Erasure.objects.exists()


def test_it_warns_of_an_open_alert_and_refuses_the_erasure_until_it_is_actioned(
    cast, course, reauthed
):
    make_alert(course=course, raised_at=timezone.now())
    c = reauthed(cast.therapist)
    url = reverse("privacy:erase", args=[cast.client.pk])
    page = c.get(url)
    assert b"This client has an open risk alert." in page.content
    refused = c.post(url, {"record_number": "R-1", "reason": "Client asked"})
    assert refused.status_code == 200
    assert b"still open" in refused.content
    assert not Erasure.objects.exists()
