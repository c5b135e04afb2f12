"""Forms show every problem at once (issue 15): each service collects its refusals together.

Each case gives two or more independent mistakes and expects a message for every one of
them, under its own field, from one call; before, the first mistake hid the others.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from openipt.accounts.administration import create_account
from openipt.accounts.services import create_user
from openipt.clients.safety import save_plan
from openipt.core.errors import messages_of
from openipt.courses.records import set_goals
from openipt.courses.services import record_session
from openipt.interpersonal.services import save_formulation
from openipt.portal.services import log_mood
from openipt.privacy.services import record_disclosure
from tests.factories import make_course, today

pytestmark = pytest.mark.django_db


def problems(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return messages_of(caught.value)


def test_it_names_every_problem_of_a_new_user(cast) -> None:
    found = problems(create_user, "ther", "wizard", "x", supervisor="nobody")
    assert {"role", "username", "supervisor"} <= set(found)


def test_it_names_every_problem_of_an_account_an_admin_creates(cast) -> None:
    cast.therapist.email = "tom@example.org"
    cast.therapist.save()
    found = problems(
        create_account,
        cast.admin,
        username="new",
        display_name="New",
        email="TOM@example.org",
        role="therapist",
        supervisor=cast.therapist,  # not a supervisor
    )
    assert set(found) == {"supervisor", "email"}


def test_it_names_every_problem_of_a_daily_log(cast) -> None:
    course = make_course(client=cast.client)
    found = problems(log_mood, cast.client_user, course, mood=99, contacts=-1, note=5)
    assert set(found) == {"mood", "contacts", "note"}


def test_it_names_every_problem_of_a_formulation(cast) -> None:
    course = make_course(client=cast.client)
    found = problems(
        save_formulation,
        cast.therapist,
        course,
        text="",
        shared_on=today() + datetime.timedelta(days=3),
    )
    assert {"shared_on", "text"} <= set(found)


def test_it_names_every_problem_of_a_disclosure(cast) -> None:
    found = problems(
        record_disclosure,
        cast.therapist,
        cast.client,
        notes=[],
        recipient="",
        purpose="",
        authorised_by="",
        authorised_on=today() + datetime.timedelta(days=1),
    )
    assert {"notes", "authorised_on", "recipient", "purpose"} <= set(found)


def test_it_names_every_bad_goal_and_saves_none(cast) -> None:
    course = make_course(client=cast.client)
    goals = [{"text": ""}, {"text": "See friends weekly"}, {"text": "Sleep", "status": "odd"}]
    found = problems(set_goals, cast.therapist, course, goals)
    assert len(found["goals"]) == 2
    assert found["goals"][0].startswith("Goal 1") and found["goals"][1].startswith("Goal 3")
    assert course.goals.count() == 0


def test_it_names_every_problem_of_a_session(cast) -> None:
    course = make_course(client=cast.client)
    found = problems(
        record_session,
        cast.therapist,
        course,
        date=today() + datetime.timedelta(days=30),
        attendance="maybe",
        modality="telepathy",
    )
    assert {"attendance", "modality", "date"} <= set(found)


def test_it_names_every_bad_section_of_a_safety_plan(cast) -> None:
    long = "x" * 5000
    found = problems(
        save_plan,
        cast.therapist,
        cast.client,
        shared_with_client=False,
        warning_signs=long,
        coping_strategies=7,
    )
    assert set(found) == {"warning_signs", "coping_strategies"}
