"""The notification list and badge, acknowledging from the alert page, preferences, the API,
and the admin's jobs page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openipt.assessments.services import submit_assessment
from openipt.jobs.models import FailedJob, JobRun
from openipt.notify.models import AlertWatch, ClientContact, Notification, StaffPreference
from tests.factories import make_course, phq9_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(staff):
    course = make_course(client=staff.client)
    return submit_assessment(
        staff.therapist, course, "phq9", phq9_answers(total=12, item9=1)
    ).alerts[0]


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def test_the_nav_shows_the_unread_count_and_the_list_opens_the_alert(client, staff, alert):
    login(client, staff.therapist)
    page = client.get(reverse("notify:list"))
    assert page.status_code == 200
    assert b'1<span class="visually-hidden"> unread' in page.content
    note = Notification.objects.in_app_for(staff.therapist).get()
    opened = client.post(reverse("notify:open", args=[note.pk]))
    assert opened.status_code == 302 and opened["Location"] == alert.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_badge_is_kept_between_pages_and_follows_every_change(
    client, staff, alert, django_assert_num_queries
):
    from openipt.notify import badge

    badge.changed(staff.therapist.pk)
    assert badge.unread_count(staff.therapist) == 1
    with django_assert_num_queries(0):  # kept: no count on the next page
        assert badge.unread_count(staff.therapist) == 1
    login(client, staff.therapist)
    note = Notification.objects.in_app_for(staff.therapist).get()
    client.post(reverse("notify:open", args=[note.pk]))
    assert badge.unread_count(staff.therapist) == 0
    second = make_course(client=staff.client)
    submit_assessment(staff.therapist, second, "phq9", phq9_answers(total=14, item9=2))
    assert badge.unread_count(staff.therapist) == 1
    client.post(reverse("notify:read_all"))
    assert badge.unread_count(staff.therapist) == 0


def test_an_outsider_cannot_open_anothers_notification(client, staff, alert):
    note = Notification.objects.in_app_for(staff.therapist).get()
    login(client, staff.outsider)
    assert client.post(reverse("notify:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_the_alert_page_shows_the_record_and_acknowledges(client, staff, alert):
    login(client, staff.supervisor)
    page = client.get(alert.get_absolute_url())
    assert b"Who was told" in page.content and b"Acknowledge" in page.content
    done = client.post(reverse("notify:acknowledge", args=[alert.pk]))
    assert done.status_code == 302
    assert AlertWatch.objects.get(alert=alert).acknowledged_by == staff.supervisor
    page = client.get(alert.get_absolute_url())
    assert b"Acknowledged" in page.content and b"Acknowledge: I am acting" not in page.content


def test_an_outsider_cannot_acknowledge(client, staff, alert):
    login(client, staff.outsider)
    assert client.post(reverse("notify:acknowledge", args=[alert.pk])).status_code == 404
    assert AlertWatch.objects.get(alert=alert).acknowledged_at is None


def test_preferences_are_saved(client, staff):
    login(client, staff.therapist)
    response = client.post(reverse("notify:preferences"), {"email_alerts": "on"})
    assert response.status_code == 302
    pref = StaffPreference.objects.get(user=staff.therapist)
    assert pref.email_alerts and not pref.email_out_of_hours and not pref.weekly_digest


def test_the_api_lists_reads_and_acknowledges(client, staff, alert):
    login(client, staff.therapist)
    listed = client.get("/api/v1/notifications?unread=true").json()
    assert listed["count"] == 1 and listed["items"][0]["alert_id"] == alert.pk
    note_id = listed["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{note_id}/read").json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 0
    acked = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == str(staff.therapist)


def test_the_jobs_page_shows_runs_and_failures_to_the_admin(client, staff):
    from django.utils import timezone

    JobRun.objects.create(
        name="backup", started_at=timezone.now(), ok=False, detail="OSError: full"
    )
    failed = FailedJob.objects.create(
        task="purge_job", task_id="x", error="boom", failed_at=timezone.now()
    )
    login(client, staff.admin)
    page = client.get(reverse("jobs:list"))
    assert b"OSError: full" in page.content and b"purge_job" in page.content
    assert client.post(reverse("jobs:dismiss", args=[failed.pk])).status_code == 302
    failed.refresh_from_db()
    assert failed.dismissed_at is not None
    login(client, staff.therapist)
    assert client.get(reverse("jobs:list")).status_code == 403


def test_the_therapist_records_the_clients_reminder_choices(client, staff):
    url = reverse("notify:client_reminders", args=[staff.client.pk])
    login(client, staff.therapist)
    refused = client.post(url, {"reminders_agreed": "on", "channel": "sms", "mobile": ""})
    assert refused.status_code == 200 and b"Text messages need a mobile number" in refused.content
    bad = client.post(url, {"reminders_agreed": "on", "channel": "sms", "mobile": "call me"})
    assert b"country code" in bad.content
    saved = client.post(
        url, {"reminders_agreed": "on", "channel": "sms", "mobile": "+44 7700 900123"}
    )
    assert saved.status_code == 302
    contact = ClientContact.objects.get(client=staff.client)
    assert contact.reminders_agreed and contact.mobile == "+44 7700 900123"


def test_the_supervisor_reads_and_an_outsider_gets_404(client, staff):
    url = reverse("notify:client_reminders", args=[staff.client.pk])
    login(client, staff.supervisor)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reminders_agreed": "on", "channel": "email"}).status_code == 403
    login(client, staff.outsider)
    assert client.get(url).status_code == 404
    assert not ClientContact.objects.exists()
