"""The client's safety plan: versions, who may write it, its pages, the portal, PDF and API."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as WebClient
from django.urls import reverse
from django.utils import timezone

from openipt.accounts.models import ApiToken
from openipt.clients.models import SafetyPlan
from openipt.clients.safety import current_plan, save_plan, shared_plan
from tests.factories import make_alert, make_course

pytestmark = pytest.mark.django_db

PLAN = {
    "warning_signs": "Not sleeping; thinking nobody would notice if I was gone",
    "coping_strategies": "Walk round the park; shower; music",
    "distractions": "Café on Mill Road; my cousin",
    "people_to_ask": "Sister Ana 07700 900123",
    "professionals": "Therapist (weekdays); out-of-hours line",
    "safe_environment": "Tablets kept by Ana",
    "reasons_for_living": "My daughter",
}


def test_it_keeps_every_version_and_makes_none_for_the_same_words(cast):
    first = save_plan(cast.therapist, cast.client, shared_with_client=True, **PLAN)
    same = save_plan(cast.therapist, cast.client, shared_with_client=False, **PLAN)
    assert same.pk == first.pk and same.shared_with_client is False
    second = save_plan(
        cast.therapist,
        cast.client,
        shared_with_client=True,
        **(PLAN | {"reasons_for_living": "My daughter; my dog"}),
    )
    assert (first.version, second.version) == (1, 2)
    assert current_plan(cast.client) == second
    assert SafetyPlan.objects.get(pk=first.pk).reasons_for_living == "My daughter"


def test_it_refuses_an_empty_plan_and_unknown_sections(cast):
    with pytest.raises(ValidationError):
        save_plan(cast.therapist, cast.client, shared_with_client=True)
    with pytest.raises(ValidationError):
        save_plan(cast.therapist, cast.client, shared_with_client=True, weather="Sunny")
    assert not SafetyPlan.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "outsider", "client_user", "admin"])
def test_it_lets_only_the_clients_therapist_write_it(cast, who):
    with pytest.raises(PermissionDenied):
        save_plan(getattr(cast, who), cast.client, shared_with_client=True, **PLAN)


def test_it_is_made_on_its_page_and_reviewed_as_a_new_version(cast, login):
    web = login(cast.therapist)
    url = reverse("clients:safety_plan", args=[cast.client.pk])
    assert b"Save the safety plan" in web.get(url).content
    empty = web.post(url, {"shared_with_client": "on"})
    assert empty.status_code == 200 and b"Write at least one section" in empty.content
    assert web.post(url, PLAN | {"shared_with_client": "on"}).status_code == 302
    shown = web.get(url).content.decode()
    assert "Sister Ana 07700 900123" in shown and "Version 1" in shown
    changed = PLAN | {"safe_environment": "Tablets kept by Ana; razor gone"}
    assert web.post(url, changed | {"shared_with_client": "on"}).status_code == 302
    old = SafetyPlan.objects.get(version=1)
    page = web.get(reverse("clients:safety_plan_version", args=[cast.client.pk, old.pk]))
    assert "Tablets kept by Ana" in page.content.decode()
    assert "razor gone" not in page.content.decode()


def test_it_prints_the_plan_as_a_pdf(cast, login):
    save_plan(cast.therapist, cast.client, shared_with_client=True, **PLAN)
    response = login(cast.supervisor).get(reverse("clients:safety_plan_pdf", args=[cast.client.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_it_shows_the_shared_plan_to_the_client_only(cast, login):
    save_plan(cast.therapist, cast.client, shared_with_client=True, **PLAN)
    page = login(cast.client_user).get(reverse("portal:safety_plan")).content.decode()
    assert "Step 4: People I can ask for help" in page and "Sister Ana" in page
    assert "has been told about your answer" not in page
    save_plan(
        cast.therapist, cast.client, shared_with_client=False, **(PLAN | {"distractions": "Gym"})
    )
    assert shared_plan(cast.client).version == 1  # the client keeps the last shared version


def test_it_links_the_alert_to_the_safety_plan(cast, login):
    alert = make_alert(course=make_course(client=cast.client), raised_at=timezone.now())
    page = login(cast.therapist).get(alert.get_absolute_url()).content.decode()
    assert reverse("clients:safety_plan", args=[cast.client.pk]) in page
    assert "safety plan</a>" in page


def test_it_saves_and_lists_versions_through_the_api(cast):
    api = WebClient(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(cast.therapist)[1]}")
    url = f"/api/v1/clients/{cast.client.pk}/safety-plan"
    created = api.post(url, json.dumps(PLAN), content_type="application/json")
    assert created.status_code == 201 and json.loads(created.content)["version"] == 1
    bad = api.post(url, json.dumps({"warning_signs": 3}), content_type="application/json")
    assert bad.status_code in (400, 422)
    listed = json.loads(api.get(url).content)
    assert [plan["version"] for plan in listed] == [1]
    outsider = WebClient(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(cast.outsider)[1]}")
    assert outsider.get(url).status_code == 404
