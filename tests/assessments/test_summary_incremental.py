"""The incremental summary update gives exactly what the full recomputation gives.

Random courses are run through the services: sessions attended or missed (some on the same
day), PHQ-9 and GAD-7 totals with item 9 answers (alerts), scores given now, linked to a
session or dated by hand (some backdated, which falls back to the full recomputation),
the latest session deleted now and then; under several measure schedules and time zones,
with and without the service's expected-change curves. After every step
`refresh_course_summary(force=True)` must find nothing to change.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openipt.assessments import tracking
from openipt.assessments.services import record_administration, submit_assessment
from openipt.assessments.summary import (
    SUMMARY_FIELDS,
    Inputs,
    after_score,
    after_session,
    refresh_course_summary,
)
from openipt.courses import services
from openipt.courses.models import Course, Session
from openipt.measures import get_instrument
from openipt.measures.trajectories import ALL, CurvePoint, ExpectedCurves
from openipt.protocol.formats import get_format
from tests.conftest import clear_cache
from tests.factories import at, gad7_answers, make_client, phq9_answers, today

pytestmark = pytest.mark.django_db

SESSION = st.tuples(
    st.just("session"),
    st.sampled_from(["attended", "attended", "attended", "cancelled", "did_not_attend"]),
    st.integers(0, 4),  # days after the latest session
)
SCORE = st.tuples(
    st.just("score"),
    st.sampled_from(["phq9", "gad7"]),
    st.integers(0, 27),  # total
    st.sampled_from([0, 0, 0, 1, 2]),  # item 9
    st.sampled_from(["now", "now_linked", "dated", "linked"]),
    st.integers(-3, 4),  # the day of a dated score from the latest session, or which session
    st.integers(0, 23),  # the hour (UTC) of a dated score
)
DELETE = st.tuples(st.just("delete"))
STEPS = st.lists(st.one_of(SESSION, SESSION, SCORE, SCORE, SCORE, DELETE), max_size=16)
WORLDS = st.fixed_dictionaries(
    {
        "format": st.sampled_from(["ipc", "standard"]),
        "cadence": st.sampled_from(["every_session", "every_n"]),
        "instruments": st.sampled_from([("phq9", "gad7"), ("phq9",), ()]),
        "curves": st.booleans(),
        "time_zone": st.sampled_from(["Europe/London", "Pacific/Auckland", "America/Denver"]),
    }
)


def _curves(code: str) -> ExpectedCurves:
    """Curves whose upper band moves with the session, so the session a score counts for
    decides whether it is off track."""
    instrument = get_instrument(code)
    points = {n: CurvePoint(n, 20, 8.0, 2.0, 6.0 + 3 * (n % 3)) for n in range(1, 30)}
    return ExpectedCurves(
        instrument=code,
        version=instrument.version,
        direction=instrument.direction,
        method="percentile",
        min_courses=2,
        groups={ALL: points},
        bands=(),
    )


def _open(cast, fmt: str) -> Course:
    start = today() - timedelta(days=24)
    client = make_client(therapist=cast.therapist)
    course = services.open_course(cast.therapist, client, fmt, started_on=start)
    planned = get_format(fmt).default_sessions
    services.set_contract(cast.therapist, course, planned, "weekly", agreed_on=start)
    return course


def _latest_day(course: Course):
    latest = course.sessions.order_by("-date").values_list("date", flat=True).first()
    return latest or course.started_on


def _session(cast, course: Course, attendance: str, gap: int) -> None:
    day = min(_latest_day(course) + timedelta(days=gap), today())
    with suppress(ValidationError):  # beyond the contract, say: nothing was written
        services.record_session(cast.therapist, course, day, attendance)


def _answers(code: str, total: int, item9: int) -> dict[str, int]:
    if code == "gad7":
        return gad7_answers(total=min(total, 21))
    item9 = min(item9, total)
    return phq9_answers(total=min(total, 24 + item9), item9=item9)


def _score(cast, course: Course, step: tuple) -> None:
    """Score through the API's service (now) or as an import would (dated), linked or not."""
    _, code, total, item9, mode, offset, hour = step
    answers = _answers(code, total, item9)
    held = list(course.sessions.filter(attendance="attended").order_by("number"))
    session = held[offset % len(held)] if held and mode.endswith("linked") else None
    try:
        if mode.startswith("now"):
            submit_assessment(cast.therapist, course, code, answers, session=session)
            return
        day = session.date if session else _latest_day(course) + timedelta(days=offset)
        when = at(day=max(min(day, today()), course.started_on), hour=hour)
        instrument = get_instrument(code)
        record_administration(
            cast.therapist, course, instrument, answers, session=session, completed_at=when
        )
    except ValidationError:
        pass  # the session has this questionnaire already


def _delete_latest(course: Course) -> None:
    latest = course.sessions.order_by("-date", "-id").first()
    if latest is not None:
        latest.delete()


def _apply(cast, course: Course, step: tuple) -> None:
    if step[0] == "session":
        _session(cast, course, step[1], step[2])
    elif step[0] == "score":
        _score(cast, course, step)
    else:
        _delete_latest(course)


def _world(**changes) -> dict:
    base = {"format": "ipc", "cadence": "every_session", "instruments": ("phq9",)}
    return base | {"curves": False, "time_zone": "Europe/London"} | changes


# Cases the rules turn on, kept whatever the random examples find.
ALWAYS = [
    # A score taken after the latest session counts for the next one, then for it.
    (_world(), [("session", "attended", 0), ("score", "phq9", 12, 0, "dated", 1, 10),
                ("score", "phq9", 11, 0, "dated", 1, 11), ("session", "attended", 2)]),
    # With curves, the session the last score counts for decides whether it is off track:
    # the new session takes over a score that counted for the next one...
    (_world(curves=True),
     [("session", "attended", 0), ("score", "phq9", 20, 0, "linked", 0, 0),
      ("score", "phq9", 20, 0, "dated", 1, 10), ("session", "attended", 2)]),
    # ... and a new score counts for the session of its day.
    (_world(curves=True, instruments=("phq9", "gad7")),
     [("session", "attended", 0), ("score", "gad7", 15, 0, "linked", 0, 8),
      ("score", "gad7", 16, 0, "dated", 0, 9)]),
    # A score on the day of the latest session counts for it; two sessions on one day.
    (_world(instruments=("phq9", "gad7")),
     [("session", "attended", 1), ("session", "attended", 0),
      ("score", "gad7", 9, 0, "dated", 0, 8), ("score", "phq9", 14, 2, "dated", 0, 9),
      ("session", "did_not_attend", 3)]),
    # With nothing scheduled, any score taken for a session measures it.
    (_world(instruments=()),
     [("session", "attended", 0), ("score", "gad7", 9, 0, "dated", 1, 10),
      ("session", "attended", 2)]),
    # The local day, not the UTC one, decides (12:00 UTC is the next day in Auckland).
    (_world(time_zone="Pacific/Auckland"),
     [("session", "attended", 0), ("score", "phq9", 15, 0, "dated", 0, 12),
      ("session", "attended", 1)]),
]  # fmt: skip


def _always(test):
    """Run the cases above on every run, before the random ones."""
    for world, steps in reversed(ALWAYS):
        test = example(world=world, steps=steps)(test)
    return test


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=WORLDS, steps=STEPS)
@_always
def test_incremental_updates_equal_the_full_recomputation(cast, world, steps):
    rules = {
        "OPENIPT_MEASURE_CADENCE": world["cadence"],
        "OPENIPT_MEASURE_EVERY_N": 2,
        "OPENIPT_MEASURE_INSTRUMENTS": world["instruments"],
        "TIME_ZONE": world["time_zone"],  # a score's local day decides its session
    }
    with override_settings(**rules):
        clear_cache()
        if world["curves"]:
            for code in tracking.TRACKED:
                cache.set(tracking.curves_key(code), (_curves(code),), 600)
        course = _open(cast, world["format"])
        for step in steps:
            _apply(cast, course, step)
            row = Course.objects.get(pk=course.pk)
            before = {name: getattr(row, name) for name in SUMMARY_FIELDS}
            assert refresh_course_summary(row, force=True) == [], (step, before)


def _inputs(**changes) -> Inputs:
    base = Inputs(
        held=2, current=2, last_on=today() - timedelta(days=7), ends={}, latest_score_at=None,
        open_alerts=0, pending=frozenset(), pending_any=False, at_current=frozenset(),
        at_current_any=False,
    )  # fmt: skip
    return Inputs(**{**base.__dict__, **changes})


def test_it_falls_back_to_the_full_recomputation_when_a_row_is_not_the_latest():
    earlier = at(day=today() - timedelta(days=3))
    later = at(day=today() - timedelta(days=1))
    scored = _inputs(latest_score_at=later)
    assert after_score(scored, "phq9", 10, earlier, None) is None  # backdated score
    assert after_session(scored, 3, today() - timedelta(days=2)) is None  # a score after it
    assert after_session(_inputs(), 2, today()) is None  # not above the current session
    assert after_session(_inputs(), 3, today()) is not None


def test_the_service_keeps_its_session_out_of_the_receivers_full_refresh(cast):
    course = _open(cast, "ipc")
    session = services.record_session(cast.therapist, course, today(), "attended")
    assert Session.objects.get(pk=session.pk).number == 1
    course.refresh_from_db()
    assert (course.sessions_attended, course.last_session_on) == (1, today())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes the write lock when the transaction begins: no read waits for it",
)
@pytest.mark.django_db(transaction=True)
def test_a_write_that_waited_for_the_lock_reads_the_facts_again(cast):
    """On PostgreSQL the locked read's subqueries see the database as it was before the
    read waited for the lock; the summary must still count the score written meanwhile."""
    course = _open(cast, "ipc")
    session = services.record_session(cast.therapist, course, today(), "attended")
    for code, answers in (("phq9", phq9_answers(total=18)), ("gad7", gad7_answers(total=12))):
        submit_assessment(cast.therapist, course, code, answers, session=session)
    holding, done = threading.Event(), threading.Event()

    def other_request() -> None:  # a GAD-7 saved while this test's submit waits for it
        try:
            with transaction.atomic():
                record_administration(
                    cast.therapist, course, get_instrument("gad7"), gad7_answers(total=20)
                )
                holding.set()
                done.wait(timeout=1)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_request)
    thread.start()
    assert holding.wait(timeout=10)
    timer = threading.Timer(0.3, done.set)  # commit once this submit is waiting
    timer.start()
    submit_assessment(cast.therapist, course, "phq9", phq9_answers(total=8))
    thread.join()
    row = Course.objects.get(pk=course.pk)
    assert row.reliably_deteriorated is True  # the GAD-7 went from 12 to 20
    assert refresh_course_summary(row, force=True) == []
