"""Invitation and sign-in links carry the address the request came in on, or the configured one."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_links_the_invitation_to_the_address_the_request_came_in_on(cast, login, settings):
    settings.OPENIPT_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["ipt.example.org"]
    web = login(cast.therapist)
    url = reverse("portal:invite", args=[cast.other_client.pk])
    cast.other_client.primary_therapist = cast.therapist
    cast.other_client.save()
    page = web.post(url, HTTP_HOST="ipt.example.org:8443").content.decode()
    assert "http://ipt.example.org:8443/portal/join/" in page
    assert "127.0.0.1:8000" not in page


def test_it_prefers_the_configured_address(cast, login, settings):
    settings.OPENIPT_BASE_URL = "https://ipt.example.org/"
    settings.ALLOWED_HOSTS = ["internal.example"]
    cast.other_client.primary_therapist = cast.therapist
    cast.other_client.save()
    web = login(cast.therapist)
    url = reverse("portal:invite", args=[cast.other_client.pk])
    page = web.post(url, HTTP_HOST="internal.example").content.decode()
    assert "https://ipt.example.org/portal/join/" in page


def test_it_emails_a_sign_in_link_on_the_requests_address(cast, client, settings):
    settings.OPENIPT_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast.client.email = "carla@example.org"
    cast.client.save()
    client.post(
        reverse("portal:sign_in"), {"email": "carla@example.org"}, HTTP_HOST="portal.example.org"
    )
    assert len(mail.outbox) == 1
    assert "http://portal.example.org/portal/sign-in/" in mail.outbox[0].body
