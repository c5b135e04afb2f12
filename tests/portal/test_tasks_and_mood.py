from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openipt.portal import services
from openipt.portal.models import ClientTask, MoodEntry
from openipt.portal.tasks import parse_work
from tests.factories import add_session, make_course

pytestmark = pytest.mark.django_db


def test_it_reads_one_task_per_line_without_bullets():
    text = "- Call my sister\n\n* Walk twice\n3. Join the choir\n  • Write to Sam  \n"
    assert parse_work(text) == ["Call my sister", "Walk twice", "Join the choir", "Write to Sam"]
    assert parse_work("") == []


def test_it_makes_tasks_from_the_work_agreed_in_a_session(cast, course):
    session = add_session(course=course, number=1, work="Call my sister\nWalk twice")
    tasks = list(ClientTask.objects.filter(session=session).order_by("position"))
    assert [(t.text, t.position, t.course_id) for t in tasks] == [
        ("Call my sister", 1, course.pk),
        ("Walk twice", 2, course.pk),
    ]


def test_it_keeps_tasks_and_their_ticks_when_the_session_is_saved_again(cast, course):
    session = add_session(course=course, number=1, work="Call my sister\nWalk twice")
    # The text is encrypted at rest, so it is matched in Python, not in the query.
    call = next(t for t in ClientTask.objects.all() if t.text == "Call my sister")
    services.set_task_done(cast.client_user, call, True)
    session.save()
    session.between_sessions_work = "Walk twice\nCall my sister\nJoin the choir"
    session.save()
    tasks = {t.text: t for t in ClientTask.objects.filter(session=session)}
    assert sorted(tasks) == ["Call my sister", "Join the choir", "Walk twice"]
    assert tasks["Call my sister"].pk == call.pk and tasks["Call my sister"].is_done
    assert tasks["Walk twice"].position == 1
    session.between_sessions_work = ""
    session.save()
    assert not ClientTask.objects.exists()


def test_it_makes_tasks_from_sessions_recorded_by_the_course_engine(cast):
    from openipt.courses import services as courses

    course = courses.open_course(
        cast.therapist, cast.client, "standard", started_on=timezone.localdate()
    )
    courses.record_session(
        cast.therapist, course, timezone.localdate(), "attended",
        between_sessions_work="Phone Dad on Sunday",
    )  # fmt: skip
    assert list(ClientTask.objects.values_list("text", flat=True)) == ["Phone Dad on Sunday"]


def test_it_lets_only_the_client_tick_off_a_task(cast, course, other):
    add_session(course=course, number=1, work="Call my sister")
    task = ClientTask.objects.select_related("course__client").get()
    for actor in (cast.therapist, cast.supervisor, other.user):
        with pytest.raises(PermissionDenied):
            services.set_task_done(actor, task, True)
    done = services.set_task_done(cast.client_user, task, True)
    assert done.is_done
    stamp = done.done_at
    assert services.set_task_done(cast.client_user, task, True).done_at == stamp
    assert not services.set_task_done(cast.client_user, task, False).is_done


def test_it_logs_today_and_changes_the_same_day(cast, course):
    first = services.log_mood(cast.client_user, course, mood=4, contacts=1, note=" Stayed in ")
    second = services.log_mood(cast.client_user, course, mood=6, contacts=3, note="Choir")
    assert first.pk == second.pk
    entry = MoodEntry.objects.get()
    assert (entry.date, entry.mood, entry.contacts, entry.note) == (
        timezone.localdate(), 6, 3, "Choir",
    )  # fmt: skip


def test_it_keeps_earlier_days_as_they_were(cast, course):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    MoodEntry.objects.create(course=course, date=yesterday, mood=2, contacts=0)
    services.log_mood(cast.client_user, course, mood=7, contacts=2)
    assert MoodEntry.objects.get(date=yesterday).mood == 2
    assert MoodEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("mood", "contacts", "note", "field"),
    [
        (11, 0, "", "mood"),
        (-1, 0, "", "mood"),
        (True, 0, "", "mood"),
        ("5", 0, "", "mood"),
        (5, -1, "", "contacts"),
        (5, 101, "", "contacts"),
        (5, 1, "x" * 501, "note"),
        (5, 1, "bad\x00byte", "note"),
    ],
)
def test_it_refuses_bad_log_values(cast, course, mood, contacts, note, field):
    with pytest.raises(ValidationError) as error:
        services.log_mood(cast.client_user, course, mood=mood, contacts=contacts, note=note)
    assert field in error.value.error_dict
    assert not MoodEntry.objects.exists()


def test_it_lets_only_the_client_log_and_only_in_an_active_course(cast, course, other):
    for actor in (cast.therapist, other.user):
        with pytest.raises(PermissionDenied):
            services.log_mood(actor, course, mood=5, contacts=1)
    course.status = "ended"
    course.save()
    with pytest.raises(ValidationError):
        services.log_mood(cast.client_user, course, mood=5, contacts=1)


def test_it_finds_the_active_course_before_older_ones(cast, course):
    assert services.current_course(cast.client) == course
    course.status = "ended"
    course.save()
    follow_on = make_course(
        client=cast.client, format="maintenance", follows=course,
        started_on=course.started_on - datetime.timedelta(days=1),
    )  # fmt: skip
    assert services.current_course(cast.client) == follow_on
    follow_on.status = "ended"
    follow_on.save()
    assert services.current_course(cast.client) == course
