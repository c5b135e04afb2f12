"""Course pages: who may see and change them, what they show, and forms' refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from openipt.clients.models import Client
from openipt.core import kept
from openipt.courses import services
from openipt.courses.models import Course, Session, TaskCompletion
from tests.courses.conftest import START
from tests.factories import agree_contract, choose_grief_focus, make_client, run_sessions

pytestmark = pytest.mark.django_db

READ_PAGES = ["detail", "letter", "letter_pdf"]
WRITE_PAGES = [
    "session_new",
    "contract",
    "focus",
    "goals",
    "termination",
    "sick_role",
    "medication",
    "details",
]


def url(name, course, *extra):
    return reverse(f"courses:{name}", args=[course.pk, *extra])


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_it_shows_every_page_to_the_therapist(cast, course, login, name):
    assert login(cast.therapist).get(url(name, course)).status_code == 200


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_it_hides_every_page_from_an_outsider(cast, course, login, name):
    assert login(cast.outsider).get(url(name, course)).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES)
def test_it_lets_the_supervisor_read(cast, course, login, name):
    assert login(cast.supervisor).get(url(name, course)).status_code == 200


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_it_refuses_changes_to_the_supervisor(cast, course, login, name):
    c = login(cast.supervisor)
    assert c.get(url(name, course)).status_code == 403
    assert c.post(url(name, course), {}).status_code == 403


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_it_refuses_course_pages_to_a_client_and_an_admin(cast, course, login, name):
    assert login(cast.client_user).get(url(name, course)).status_code == 403
    assert login(cast.admin).get(url(name, course)).status_code == 403


def test_it_refuses_the_caseload_to_clients_and_anonymous_users(cast, client, login):
    assert client.get(reverse("courses:caseload")).status_code == 302
    assert login(cast.client_user).get(reverse("courses:caseload")).status_code == 403


def test_it_refuses_task_ticks_to_supervisor_and_outsider(cast, course, login):
    target = url("task", course, "psychoeducation")
    assert login(cast.supervisor).post(target, {"done": "on"}).status_code == 403
    assert login(cast.outsider).post(target, {"done": "on"}).status_code == 404
    assert not TaskCompletion.objects.exists()


def test_it_hides_the_start_page_from_an_outsider_and_refuses_the_supervisor(cast, login):
    target = reverse("courses:start", args=[cast.client.pk])
    assert login(cast.outsider).get(target).status_code == 404
    assert login(cast.supervisor).get(target).status_code == 403


def test_it_sends_a_therapist_home_to_the_caseload(cast, login):
    response = login(cast.therapist).get(reverse("home"))
    assert response["Location"] == reverse("courses:caseload")


# --- the caseload -------------------------------------------------------------------------


def test_it_lists_active_courses_with_phase_session_and_what_is_due(cast, course, login):
    agree_contract(actor=cast.therapist, course=course)
    run_sessions(actor=cast.therapist, course=course, count=3)
    Course.objects.filter(pk=course.pk).update(open_alerts=2, measure_due=True)
    body = login(cast.therapist).get(reverse("courses:caseload")).content.decode()
    assert "Carla Client" in body
    assert "4 of 16" in body and "Middle" in body
    assert "2 open alerts" in body and "Due" in body
    assert "No problem area chosen" in body


def test_it_sorts_the_caseload_by_what_needs_attention(cast, course, login):
    quiet = make_client(therapist=cast.therapist, name="Aaron Quiet")
    other = services.open_course(cast.therapist, quiet, "standard", started_on=START)
    agree_contract(actor=cast.therapist, course=other)
    agree_contract(actor=cast.therapist, course=course)
    Course.objects.filter(pk=course.pk).update(open_alerts=1)
    body = login(cast.therapist).get(reverse("courses:caseload")).content.decode()
    assert body.index("Carla Client") < body.index("Aaron Quiet")


def test_it_shows_a_supervisor_the_supervisees_courses_with_the_therapist(
    cast, course, other_course, login
):
    body = login(cast.supervisor).get(reverse("courses:caseload")).content.decode()
    assert "Carla Client" in body and "Therapist Tom" in body
    assert "Oscar Outside" not in body


def test_it_leaves_ended_courses_and_other_caseloads_out(cast, course, other_course, login):
    run_sessions(actor=cast.therapist, course=course, count=1)
    services.record_termination(cast.therapist, course, decision="referral", detail="CMHT")
    body = login(cast.therapist).get(reverse("courses:caseload")).content.decode()
    assert "Carla Client" not in body and "Oscar Outside" not in body
    assert "No active courses" in body


def _bulk_courses(therapist, count):
    clients = Client.objects.bulk_create(
        Client(name=f"Bulk {i:03}", record_number=f"BK-{count}-{i}", primary_therapist=therapist)
        for i in range(count)
    )
    Course.objects.bulk_create(
        Course(client=c, therapist=therapist, format="standard", started_on=START) for c in clients
    )


def _count_caseload_queries(c) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = c.get(reverse("courses:caseload"))
    assert response.status_code == 200
    return len(queries)


def _all_changed(therapist) -> None:
    """Mark every course of the therapist changed, so the caseload makes its rows again."""
    for pk in Course.objects.filter(therapist=therapist).values_list("pk", flat=True):
        kept.changed([kept.course_scope(pk)])


def test_it_keeps_the_caseload_query_count_flat(cast, login, django_assert_max_num_queries):
    c = login(cast.therapist)
    _bulk_courses(cast.therapist, 5)
    _count_caseload_queries(c)  # the first request does one-off work (the session)
    _all_changed(cast.therapist)
    few = _count_caseload_queries(c)
    _bulk_courses(cast.therapist, 45)
    _all_changed(cast.therapist)
    assert _count_caseload_queries(c) == few
    # User, count, page, foci, tasks, the pending read.
    _all_changed(cast.therapist)
    with django_assert_max_num_queries(6):
        c.get(reverse("courses:caseload"))


def test_it_serves_an_unchanged_caseload_without_making_its_rows(
    cast, login, django_assert_num_queries
):
    c = login(cast.therapist)
    _bulk_courses(cast.therapist, 30)
    first = c.get(reverse("courses:caseload")).content
    # User, count, page, the pending read: no agenda, focus or task queries.
    with django_assert_num_queries(4):
        again = c.get(reverse("courses:caseload")).content
    assert again.count(b"<tr>") == first.count(b"<tr>") == 26


def test_it_paginates_the_caseload(cast, login):
    _bulk_courses(cast.therapist, 30)
    c = login(cast.therapist)
    assert "Page 1 of 2" in c.get(reverse("courses:caseload")).content.decode()
    assert "Page 2 of 2" in c.get(reverse("courses:caseload"), {"page": 2}).content.decode()


# --- the course page ----------------------------------------------------------------------


def test_it_shows_the_agenda_contract_focus_and_history(cast, course, login):
    agree_contract(actor=cast.therapist, course=course)
    run_sessions(actor=cast.therapist, course=course, count=3, notes="Talked about her mother.")
    services.set_focus(
        cast.therapist, course, [{"area": "role_dispute", "dispute_stage": "impasse"}]
    )
    body = login(cast.therapist).get(url("detail", course)).content.decode()
    assert "Agenda for session 4 (middle phase)" in body and "Session 4 of 16" in body
    assert "Impasse stage: Restart the negotiation, or consider dissolution." in body
    assert "Communication analysis" in body
    assert "Talked about her mother." in body
    assert "Record session 4" in body
    assert '<a class="src-link" href="/sources/#S44">[S44]</a>, ' in body


def test_it_shows_the_supervisor_the_course_without_edit_controls(cast, course, login):
    body = login(cast.supervisor).get(url("detail", course)).content.decode()
    assert "You can read this course but not change it." in body
    assert "Record session" not in body and 'type="checkbox"' not in body


def test_it_ticks_a_task_through_htmx(cast, course, login):
    c = login(cast.therapist)
    response = c.post(
        url("task", course, "psychoeducation"), {"done": "on"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content and b"checked" in response.content
    assert course.task_completions.filter(task_id="psychoeducation").exists()
    c.post(url("task", course, "psychoeducation"), {}, HTTP_HX_REQUEST="true")
    assert not course.task_completions.exists()


def test_it_refuses_a_recurring_task_tick_with_a_message(cast, course, login):
    response = login(cast.therapist).post(
        url("task", course, "check_in_since_last"), {"done": "on"}
    )
    assert response.status_code == 302


# --- forms --------------------------------------------------------------------------------


def test_it_opens_a_course_from_the_start_page(cast, login):
    response = login(cast.therapist).post(
        reverse("courses:start", args=[cast.client.pk]),
        {"format": "standard", "started_on": START.isoformat(), "referrer": "Dr Lee"},
    )
    course = Course.objects.get()
    assert response["Location"] == course.get_absolute_url()
    assert course.referrer == "Dr Lee"


def test_it_refuses_ipt_a_with_an_exclusion_on_the_start_page(cast, login):
    body = (
        login(cast.therapist)
        .post(
            reverse("courses:start", args=[cast.client.pk]),
            {
                "format": "adolescent",
                "started_on": START.isoformat(),
                "intake_flags": ["psychosis"],
            },
        )
        .content.decode()
    )
    assert "There is a problem" in body and "not indicated for psychosis" in body
    assert not Course.objects.exists()


def test_it_records_a_session_from_the_form(cast, course, login):
    response = login(cast.therapist).post(
        url("session_new", course),
        {
            "date": START.isoformat(),
            "attendance": "attended",
            "modality": "video",
            "tasks_done": ["psychoeducation", "rating_scale"],
            "notes": "First meeting.",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.number, session.phase, session.modality) == (1, "initial", "video")
    assert course.task_completions.count() == 2


def test_it_gives_questionnaires_from_the_session_form_dated_with_the_session(cast, course, login):
    from django.utils.timezone import localdate

    from openipt.assessments.models import Administration
    from tests.factories import gad7_answers, phq9_answers

    c = login(cast.therapist)
    form = c.get(url("session_new", course)).content.decode()
    assert "Give questionnaires now" in form and 'value="phq9"' in form
    day = START + timedelta(days=2)
    response = c.post(
        url("session_new", course),
        {
            "date": day.isoformat(),
            "attendance": "attended",
            "modality": "in_person",
            "give_now": ["phq9", "gad7"],
        },
    )
    session = Session.objects.get()
    first = reverse("assessments:enter", args=[course.pk, "phq9"])
    assert response["Location"] == f"{first}?session={session.pk}&then=gad7"
    page = c.get(response["Location"]).content.decode()
    assert f'<option value="{session.pk}" selected>' in page
    answers = {f"item_{k}": v for k, v in phq9_answers(total=12).items()}
    response = c.post(
        response["Location"], {"session": session.pk, "completed_by": "clinician", **answers}
    )
    second = reverse("assessments:enter", args=[course.pk, "gad7"])
    assert response["Location"] == f"{second}?session={session.pk}"
    answers = {f"item_{k}": v for k, v in gad7_answers(total=5).items()}
    response = c.post(
        response["Location"], {"session": session.pk, "completed_by": "clinician", **answers}
    )
    assert response["Location"] == reverse("assessments:course", args=[course.pk])
    given = Administration.objects.order_by("instrument")
    assert [(a.instrument, a.session_id, localdate(a.completed_at)) for a in given] == [
        ("gad7", session.pk, day),
        ("phq9", session.pk, day),
    ]


def test_it_does_not_offer_questionnaires_after_a_missed_session(cast, course, login):
    response = login(cast.therapist).post(
        url("session_new", course),
        {
            "date": START.isoformat(),
            "attendance": "did_not_attend",
            "modality": "in_person",
            "give_now": ["phq9"],
        },
    )
    assert response["Location"] == course.get_absolute_url()


def test_it_shows_a_middle_phase_session_refusal_without_a_contract(cast, course, login):
    run_sessions(actor=cast.therapist, course=course, count=3)
    c = login(cast.therapist)
    page = c.get(url("session_new", course)).content.decode()
    assert "Before this session" in page and "Go to the contract" in page
    day = (START + timedelta(days=60)).isoformat()
    body = c.post(
        url("session_new", course), {"date": day, "attendance": "attended", "modality": "in_person"}
    ).content.decode()
    assert "There is a problem" in body and "Agree the treatment contract" in body
    assert course.sessions.count() == 3


def test_it_shows_a_future_session_date_next_to_the_field(cast, course, login):
    body = (
        login(cast.therapist)
        .post(
            url("session_new", course),
            {"date": "2999-01-01", "attendance": "attended", "modality": "in_person"},
        )
        .content.decode()
    )
    assert 'href="#id_date"' in body and "cannot be in the future" in body


def test_it_agrees_and_renegotiates_the_contract_through_the_page(cast, course, login):
    c = login(cast.therapist)
    day = START.isoformat()
    c.post(
        url("contract", course), {"planned_sessions": 16, "frequency": "weekly", "agreed_on": day}
    )
    body = c.post(
        url("contract", course), {"planned_sessions": 12, "frequency": "weekly", "agreed_on": day}
    ).content.decode()
    assert "Record the reason for changing the contract" in body
    c.post(
        url("contract", course),
        {"planned_sessions": 12, "frequency": "weekly", "agreed_on": day, "reason": "Moving away"},
    )
    history = c.get(url("contract", course)).content.decode()
    assert "Renegotiation" in history and "Moving away" in history


def test_it_chooses_the_focus_through_the_page_with_its_rules(cast, course, login):
    c = login(cast.therapist)
    body = c.post(url("focus", course), {"area": "role_dispute"}).content.decode()
    assert "Say which stage the role dispute is in" in body
    body = c.post(url("focus", course), {"area": "interpersonal_deficits"}).content.decode()
    assert "only after confirming" in body
    response = c.post(
        url("focus", course),
        {"area": "interpersonal_deficits", "deficits_confirmed": "on"},
        follow=True,
    )
    assert "poorer outcomes" in response.content.decode()
    body = c.post(
        url("focus", course),
        {
            "area": "role_dispute",
            "dispute_stage": "impasse",
            "second_area": "role_transition",
            "reason": "Both",
        },
    ).content.decode()
    assert "focus on only one of them" in body


def test_it_uses_the_services_naming_scheme(cast, course, login, settings):
    settings.OPENIPT_PROBLEM_AREA_NAMING = "who_lay"
    body = login(cast.therapist).get(url("focus", course)).content.decode()
    assert "Life changes" in body and "Loneliness / social isolation" in body


def test_it_saves_goals_through_the_formset(cast, course, login):
    data = {
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "0",
        "goals-0-text": "Get back to running",
        "goals-0-status": "open",
        "goals-1-text": "",
        "goals-1-status": "open",
    }
    response = login(cast.therapist).post(url("goals", course), data)
    assert response.status_code == 302
    assert [g.text for g in course.goals.all()] == ["Get back to running"]


def test_it_ends_the_course_from_the_termination_page(cast, course, login):
    agree_contract(actor=cast.therapist, course=course, planned_sessions=12)
    run_sessions(actor=cast.therapist, course=course, count=3)
    choose_grief_focus(actor=cast.therapist, course=course)
    run_sessions(actor=cast.therapist, course=course, count=9)
    c = login(cast.therapist)
    base = {
        "warning_signs": "Staying in bed",
        "what_helps": "Walking",
        "maintenance_discussed": "on",
        "ended_on": (START + timedelta(days=120)).isoformat(),
    }
    body = c.post(url("termination", course), {**base, "end": "1"}).content.decode()
    assert "Choose what happens next" in body
    body = c.post(
        url("termination", course), {**base, "end": "1", "decision": "maintenance_contract"}
    ).content.decode()
    assert "Set how often maintenance sessions are held" in body
    response = c.post(
        url("termination", course),
        {
            **base,
            "end": "1",
            "decision": "maintenance_contract",
            "maintenance_frequency": "fortnightly",
            "maintenance_months": "12",
        },
    )
    follow_on = Course.objects.get(follows=course)
    assert response["Location"] == follow_on.get_absolute_url()
    assert (follow_on.format, follow_on.planned_sessions) == ("maintenance", 26)


def test_it_saves_the_review_only_when_asked(cast, course, login):
    login(cast.therapist).post(
        url("termination", course),
        {"why_better": "I spoke up", "save": "1", "decision": "referral"},
    )
    course.refresh_from_db()
    assert course.status == "active" and course.termination.why_better == "I spoke up"


def test_it_records_sick_role_medication_and_details(cast, course, login):
    c = login(cast.therapist)
    day = START.isoformat()
    c.post(
        url("sick_role", course),
        {
            "diagnosis_label": "Depressive episode",
            "diagnosis_system": "icd10",
            "diagnosis_code": "F32.1",
            "explained_on": day,
        },
    )
    c.post(url("medication", course), {"decision": "refer", "evaluated_on": day})
    details = {"started_on": course.started_on.isoformat(), "format": course.format}
    c.post(url("details", course), {**details, "referrer": "Dr Okoro", "symptom_onset": day})
    body = c.get(url("detail", course)).content.decode()
    assert "ICD-10 F32.1" in body and "Refer for medication assessment" in body
    assert "Dr Okoro" in body


def test_it_shows_courses_and_a_start_button_on_the_client_page(cast, login):
    c = login(cast.therapist)
    body = c.get(reverse("clients:detail", args=[cast.client.pk])).content.decode()
    assert "No IPT course yet." in body and "Start a course" in body
    services.open_course(cast.therapist, cast.client, "standard", started_on=START)
    body = c.get(reverse("clients:detail", args=[cast.client.pk])).content.decode()
    assert "Open the active course" in body and "Standard IPT" in body
    body = login(cast.supervisor).get(reverse("clients:detail", args=[cast.client.pk])).content
    assert b"Start a course" not in body and b"Standard IPT" in body
