"""Correcting a course's details: start date, format, referrer, onset, with an amendment."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from typer.testing import CliRunner

from openipt.cli import app
from openipt.courses import services
from openipt.courses.amendment_log import course_amendments
from openipt.courses.amendments import amend_session
from openipt.courses.models import Course, CourseAmendment
from tests.factories import add_session, today

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_it_corrects_the_start_and_keeps_what_it_was(cast, course):
    old = course.started_on
    new = old + timedelta(days=3)
    services.update_course(cast.therapist, course, started_on=new, reason="Typed the wrong day")
    assert Course.objects.get(pk=course.pk).started_on == new
    amendment = CourseAmendment.objects.get(course=course)
    assert amendment.previous == {"started_on": old.isoformat()}
    assert (amendment.changed_by, amendment.reason) == (cast.therapist, "Typed the wrong day")


def test_it_refuses_a_start_before_birth_and_shows_every_problem_at_once(cast, course):
    cast.client.date_of_birth = date(1980, 5, 1)
    cast.client.save()
    with pytest.raises(ValidationError) as refused:
        services.update_course(
            cast.therapist,
            course,
            started_on=date(1970, 1, 1),
            symptom_onset=today() + timedelta(days=2),
        )
    assert {"started_on", "symptom_onset", "reason"} <= set(refused.value.message_dict)
    assert not CourseAmendment.objects.exists()


def test_it_asks_to_confirm_a_start_long_ago(cast, course, settings):
    settings.OPENIPT_OLD_START_DAYS = 730  # the service's default (settings.py)
    long_ago = today() - timedelta(days=800)
    with pytest.raises(ValidationError, match="more than 730 days ago"):
        services.update_course(cast.therapist, course, started_on=long_ago, reason="Real date")
    services.update_course(
        cast.therapist, course, started_on=long_ago, reason="Real date", confirm_old_start=True
    )
    assert Course.objects.get(pk=course.pk).started_on == long_ago


def test_it_keeps_the_start_before_the_first_session(cast, course):
    first = add_session(course=course, number=1)
    with pytest.raises(ValidationError, match="first session"):
        services.update_course(
            cast.therapist, course, started_on=first.date + timedelta(days=1), reason="x"
        )


def test_it_fills_an_empty_detail_without_a_reason_but_not_a_recorded_one(cast, course):
    services.update_course(cast.therapist, course, referrer="Dr Lee, GP")
    assert not CourseAmendment.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.update_course(cast.therapist, course, referrer="Dr Rivera")
    assert "reason" in refused.value.message_dict
    services.update_course(cast.therapist, course, referrer="Dr Rivera", reason="Wrong GP")
    assert CourseAmendment.objects.get().previous == {"referrer": "Dr Lee, GP"}


def test_it_corrects_the_format_only_before_a_contract_or_session(cast, course):
    services.update_course(cast.therapist, course, format="brief", reason="Chose the wrong one")
    corrected = Course.objects.get(pk=course.pk)
    assert corrected.format == "brief" and corrected.frequency == "weekly"
    assert ("IPT format", "Standard IPT") in course_amendments(course)[0].previous
    add_session(course=course, number=1)
    with pytest.raises(ValidationError, match="opened in error"):
        services.update_course(cast.therapist, course, format="standard", reason="Back again")


def test_it_refuses_ipt_a_for_an_adult_with_its_source(cast, course):
    cast.client.date_of_birth = date(1980, 5, 1)
    cast.client.save()
    with pytest.raises(ValidationError) as refused:
        services.update_course(cast.therapist, course, format="adolescent", reason="x")
    assert "[S" in " ".join(refused.value.message_dict["format"])


@pytest.mark.parametrize("who", ["supervisor", "outsider", "client_user"])
def test_it_lets_only_the_courses_therapist_correct(cast, course, who):
    with pytest.raises(PermissionDenied):
        services.update_course(getattr(cast, who), course, referrer="X", reason="x")


def test_it_corrects_details_on_the_page_and_shows_the_amendment(cast, course, login):
    url = reverse("courses:details", args=[course.pk])
    web = login(cast.therapist)
    form = {
        "started_on": (course.started_on + timedelta(days=1)).isoformat(),
        "format": course.format,
        "referrer": "",
        "symptom_onset": "",
        "reason": "",
    }
    refused = web.post(url, form)
    assert (
        refused.status_code == 200 and "Say why the record is changed" in refused.content.decode()
    )
    assert web.post(url, {**form, "reason": "Typed the wrong day"}).status_code == 302
    page = web.get(url).content.decode()
    assert "Start date before" in page and "Typed the wrong day" in page
    assert login(cast.supervisor).get(url).status_code == 403
    assert login(cast.outsider).get(url).status_code == 404


def test_it_lists_every_correction_of_the_course(cast, course, login):
    session = add_session(course=course, number=1, notes="Frist note")
    amend_session(cast.therapist, session, reason="Spelling", notes="First note")
    services.update_course(cast.therapist, course, referrer="Dr Lee")
    services.update_course(cast.therapist, course, referrer="Dr Rivera", reason="Wrong GP")
    kinds = [entry.kind for entry in course_amendments(course)]
    assert sorted(kinds) == ["course", "session"]
    url = reverse("courses:amendments", args=[course.pk])
    page = login(cast.supervisor).get(url).content.decode()
    assert "Frist note" in page and "Wrong GP" in page and "Referred by before" in page
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.client_user).get(url).status_code in (403, 404)


def test_it_corrects_a_course_and_a_session_through_the_api(cast, course, token_for):
    from django.test import Client as WebClient

    session = add_session(course=course, number=1, notes="Frist note")
    api = WebClient(**token_for(cast.therapist))
    url = f"/api/v1/courses/{course.pk}"
    new_start = (course.started_on - timedelta(days=1)).isoformat()
    refused = api.patch(url, json.dumps({"started_on": new_start}), "application/json")
    assert refused.status_code in (400, 422) and "reason" in refused.content.decode()
    body = {"started_on": new_start, "reason": "Typed the wrong day"}
    done = api.patch(url, json.dumps(body), "application/json")
    assert done.status_code == 200 and done.json()["started_on"] == new_start
    fixed = api.patch(
        f"{url}/sessions/{session.pk}",
        json.dumps({"notes": "First note", "reason": "Spelling"}),
        "application/json",
    )
    assert fixed.status_code == 200 and fixed.json()["notes"] == "First note"
    listed = api.get(f"{url}/amendments").json()
    assert {e["kind"] for e in listed} == {"course", "session"}
    by_kind = {e["kind"]: e["previous"] for e in listed}
    assert by_kind["session"] == {"notes": "Frist note"}
    assert by_kind["course"] == {"started_on": course.started_on.isoformat()}


@pytest.mark.parametrize(
    "who,write,read",
    [
        ("supervisor", {403}, {200}),
        ("outsider", {404}, {404}),
        ("client_user", {403, 404}, {403, 404}),
    ],
)
def test_it_refuses_corrections_over_the_api_to_others(cast, course, token_for, who, write, read):
    from django.test import Client as WebClient

    session = add_session(course=course, number=1, notes="As it was")
    api = WebClient(**token_for(getattr(cast, who)))
    body = json.dumps({"notes": "changed", "reason": "x"})
    url = f"/api/v1/courses/{course.pk}"
    assert api.patch(f"{url}/sessions/{session.pk}", body, "application/json").status_code in write
    assert api.get(f"{url}/amendments").status_code in read
    session.refresh_from_db()
    assert session.notes == "As it was"


def test_it_lists_corrects_and_closes_on_the_command_line(cast, course):
    services.update_course(cast.therapist, course, referrer="Dr Lee")
    corrected = runner.invoke(
        app,
        ["course", "correct", str(course.pk), "--by", "ther", "--referrer", "Dr Rivera",
         "--reason", "Wrong GP"],
    )  # fmt: skip
    assert corrected.exit_code == 0, corrected.output
    listed = runner.invoke(app, ["course", "amendments", str(course.pk)], terminal_width=200)
    assert listed.exit_code == 0 and "Wrong GP" in listed.output and "Dr Lee" in listed.output
    refused = runner.invoke(
        app, ["course", "close", str(course.pk), "--by", "sup", "--how", "dropped_out",
              "--reason", "x"],
    )  # fmt: skip
    assert refused.exit_code == 1 and Course.objects.get(pk=course.pk).status == "active"
    closed = runner.invoke(
        app, ["course", "close", str(course.pk), "--by", "ther", "--how", "dropped_out",
              "--reason", "Stopped coming"],
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    assert Course.objects.get(pk=course.pk).status == "discontinued"
