"""The course services: each protocol rule applied, each refusal clear, nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openipt.courses import services
from openipt.courses.models import Contract, Course, Focus, Session, TaskCompletion
from tests.courses.conftest import START
from tests.factories import agree_contract, choose_grief_focus, run_sessions, today

pytestmark = pytest.mark.django_db


def messages(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# --- opening a course -------------------------------------------------------------------


def test_it_opens_a_course_with_the_formats_defaults(cast):
    course = services.open_course(cast.therapist, cast.client, "brief", started_on=START)
    assert (course.format, course.frequency, course.status) == ("brief", "weekly", "active")
    assert course.planned_sessions is None and course.contract_agreed_on is None


def test_it_refuses_an_unknown_format(cast):
    with pytest.raises(ValidationError) as exc:
        services.open_course(cast.therapist, cast.client, "hypnosis")
    assert "Choose a format" in messages(exc)
    assert not Course.objects.exists()


def test_it_refuses_a_plan_outside_the_formats_range_S25(cast):
    # IPC has at most six sessions [S25].
    with pytest.raises(ValidationError) as exc:
        services.open_course(cast.therapist, cast.client, "ipc", planned_sessions=8)
    assert "1 to 6 sessions" in messages(exc)


def test_it_refuses_a_second_active_course(cast, course):
    with pytest.raises(ValidationError) as exc:
        services.open_course(cast.therapist, cast.client, "brief")
    assert "already has an active course" in messages(exc)


def test_it_lets_only_the_clients_therapist_open_a_course(cast):
    for actor in (cast.outsider, cast.supervisor):
        with pytest.raises(PermissionDenied):
            services.open_course(actor, cast.client, "standard")


def test_it_refuses_ipt_a_when_an_intake_exclusion_is_present_S15(cast):
    with pytest.raises(ValidationError) as exc:
        services.open_course(
            cast.therapist,
            cast.client,
            "adolescent",
            intake_flags=["psychosis", "bipolar_disorder"],
        )
    assert "not indicated for bipolar disorder, psychosis [S15]" in messages(exc)
    assert not Course.objects.exists()


def test_it_records_a_clean_ipt_a_intake_screen_S15(cast):
    course = services.open_course(cast.therapist, cast.client, "adolescent", intake_flags=[])
    assert {f["id"] for f in course.intake_flags} >= {"psychosis", "active_substance_abuse"}
    assert all(f["present"] is False for f in course.intake_flags)


def test_it_refuses_intake_flags_a_format_does_not_have(cast):
    with pytest.raises(ValidationError) as exc:
        services.open_course(cast.therapist, cast.client, "standard", intake_flags=["psychosis"])
    assert "has no intake exclusions" in messages(exc)


def test_it_refuses_a_future_start(cast):
    with pytest.raises(ValidationError) as exc:
        services.open_course(
            cast.therapist, cast.client, "standard", started_on=today() + timedelta(days=3)
        )
    assert "cannot be in the future" in messages(exc)


def test_it_changes_referrer_and_onset_but_refuses_a_future_onset(cast, course):
    services.update_course(cast.therapist, course, referrer="Dr Lee, GP", symptom_onset=START)
    course.refresh_from_db()
    assert (course.referrer, course.symptom_onset) == ("Dr Lee, GP", START)
    with pytest.raises(ValidationError) as exc:
        services.update_course(cast.therapist, course, symptom_onset=today() + timedelta(days=1))
    assert "cannot be in the future" in messages(exc)
    with pytest.raises(PermissionDenied):
        services.update_course(cast.supervisor, course, referrer="X")


# --- contract -----------------------------------------------------------------------------


def test_it_agrees_a_contract_then_renegotiates_with_a_reason_S33(cast, course):
    first = agree_contract(actor=cast.therapist, course=course, planned_sessions=16)
    assert first.changed and not first.contract.is_renegotiation
    again = services.set_contract(cast.therapist, course, 16, "weekly")
    assert again.changed is False
    with pytest.raises(ValidationError) as exc:
        services.set_contract(cast.therapist, course, 14, "weekly")
    assert "Record the reason for changing the contract" in messages(exc)
    change = services.set_contract(cast.therapist, course, 14, "weekly", reason="Holiday")
    assert change.contract.is_renegotiation and change.contract.reason == "Holiday"
    course.refresh_from_db()
    assert course.planned_sessions == 14
    assert course.contract_agreed_on == START  # the first agreement stays on record
    assert list(course.contracts.values_list("planned_sessions", flat=True)) == [16, 14]


def test_it_refuses_a_contract_outside_the_allowed_range(cast, course):
    with pytest.raises(ValidationError) as exc:
        services.set_contract(cast.therapist, course, 30, "weekly")
    assert exc.value.message_dict["planned_sessions"] == [
        "Standard IPT allows 8 to 20 sessions; 30 is outside that range."
    ]


def test_it_refuses_a_frequency_the_format_does_not_allow(cast, course):
    with pytest.raises(ValidationError) as exc:
        services.set_contract(cast.therapist, course, 16, "monthly")
    assert "frequency" in exc.value.message_dict


def test_it_warns_outside_the_typical_range(cast, course):
    change = services.set_contract(cast.therapist, course, 10, "weekly")
    assert [n.code for n in change.notices] == ["outside_typical_range"]


def test_it_refuses_a_contract_shorter_than_the_sessions_held(cast, course):
    agree_contract(actor=cast.therapist, course=course, planned_sessions=16)
    run_sessions(actor=cast.therapist, course=course, count=10)
    with pytest.raises(ValidationError) as exc:
        services.set_contract(cast.therapist, course, 8, "weekly", reason="Shorter")
    assert "already had 10 sessions" in messages(exc)


def test_it_requires_a_reason_to_change_only_the_frequency(cast):
    course = services.open_course(cast.therapist, cast.client, "ipc", started_on=START)
    services.set_contract(cast.therapist, course, 6, "weekly", agreed_on=START)
    with pytest.raises(ValidationError) as exc:
        services.set_contract(cast.therapist, course, 6, "fortnightly")
    assert "reason" in exc.value.message_dict
    services.set_contract(cast.therapist, course, 6, "fortnightly", reason="Travel")
    assert Contract.objects.filter(course=course, is_renegotiation=True).count() == 1


# --- sessions -----------------------------------------------------------------------------


def test_it_numbers_and_phases_a_16_session_course_as_the_format_defines_it(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=3)
    agree_contract(actor=cast.therapist, course=course, planned_sessions=16)
    choose_grief_focus(actor=cast.therapist, course=course)
    run_sessions(actor=cast.therapist, course=course, count=13)
    phases = list(course.sessions.order_by("number").values_list("phase", flat=True))
    assert phases == ["initial"] * 3 + ["middle"] * 10 + ["termination"] * 3
    course.refresh_from_db()
    assert course.sessions_attended == 16
    assert course.last_session_on == course.sessions.order_by("-date").first().date


def test_it_refuses_middle_phase_work_without_a_contract_S33(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=3)
    with pytest.raises(ValidationError) as exc:
        run_sessions(actor=cast.therapist, course=course, count=1)
    assert "Agree the treatment contract" in messages(exc)
    assert course.sessions.count() == 3


def test_it_numbers_a_missed_session_as_the_one_that_would_have_been(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=2)
    (missed,) = run_sessions(
        actor=cast.therapist, course=course, count=1, attendance="did_not_attend"
    )
    (held,) = run_sessions(actor=cast.therapist, course=course, count=1)
    assert (missed.number, held.number) == (3, 3)
    course.refresh_from_db()
    assert course.sessions_attended == 3


def test_it_refuses_session_dates_in_the_future_before_the_start_or_previous(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=2)
    last = course.sessions.order_by("-date").first().date
    cases = [
        (today() + timedelta(days=1), "cannot be in the future"),
        (START - timedelta(days=1), "before the course started"),
        (last - timedelta(days=1), "before the previous session"),
    ]
    for when, text in cases:
        with pytest.raises(ValidationError) as exc:
            services.record_session(cast.therapist, course, when, "attended")
        assert text in messages(exc)
    assert course.sessions.count() == 2


def test_it_refuses_sessions_beyond_the_contract_S33(cast, course):
    agree_contract(actor=cast.therapist, course=course, planned_sessions=8)
    run_sessions(actor=cast.therapist, course=course, count=8)
    with pytest.raises(ValidationError) as exc:
        run_sessions(actor=cast.therapist, course=course, count=1)
    assert "contracted sessions are used up" in messages(exc)


def test_it_refuses_unknown_techniques_and_off_focus_strategies(cast, course):
    agree_contract(actor=cast.therapist, course=course)
    run_sessions(actor=cast.therapist, course=course, count=3)
    choose_grief_focus(actor=cast.therapist, course=course)
    day = START + timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        services.record_session(cast.therapist, course, day, "attended", techniques=["hypnosis"])
    assert "Unknown technique" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.record_session(
            cast.therapist, course, day, "attended", strategies=["Argue harder."]
        )
    assert "current problem area" in messages(exc)
    session = services.record_session(
        cast.therapist,
        course,
        day,
        "attended",
        techniques=["clarification", "role_play"],
        strategies=["Encourage telling others about the experience."],
        tasks_done=[],
    )
    assert session.phase == "middle" and session.techniques == ["clarification", "role_play"]


def test_it_refuses_work_recorded_on_a_missed_session(cast, course):
    with pytest.raises(ValidationError) as exc:
        services.record_session(
            cast.therapist, course, START, "cancelled", techniques=["role_play"]
        )
    assert "only for attended sessions" in messages(exc)


def test_it_ticks_tasks_done_in_a_session(cast, course):
    (session,) = run_sessions(
        actor=cast.therapist, course=course, count=1, tasks_done=["psychoeducation"]
    )
    done = TaskCompletion.objects.get(course=course, task_id="psychoeducation")
    assert done.session == session


def test_it_flags_the_brief_ipt_engagement_session_S21(cast):
    course = services.open_course(cast.therapist, cast.client, "brief", started_on=START)
    first, second = run_sessions(actor=cast.therapist, course=course, count=2)
    assert (first.is_engagement, second.is_engagement) == (True, False)


def test_it_lets_only_the_therapist_record_sessions(cast, course):
    for actor in (cast.supervisor, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.record_session(actor, course, START, "attended")


def test_it_refuses_sessions_on_an_ended_course(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=1)
    services.record_termination(cast.therapist, course, decision="referral", detail="CMHT")
    with pytest.raises(ValidationError) as exc:
        run_sessions(actor=cast.therapist, course=course, count=1)
    assert "This course has ended" in messages(exc)


# --- focus --------------------------------------------------------------------------------


def test_it_requires_the_stage_of_a_role_dispute_S44(cast, course):
    with pytest.raises(ValidationError) as exc:
        services.set_focus(cast.therapist, course, [{"area": "role_dispute"}])
    assert exc.value.message_dict["dispute_stage"][0].startswith("Say which stage")
    change = services.set_focus(
        cast.therapist, course, [{"area": "role_dispute", "dispute_stage": "impasse"}]
    )
    assert change.foci[0].dispute_stage == "impasse"


def test_it_requires_confirmation_for_deficits_and_shows_the_prognosis_S46(cast, course):
    with pytest.raises(ValidationError) as exc:
        services.set_focus(cast.therapist, course, [{"area": "interpersonal_deficits"}])
    assert "no grief, role dispute or role transition fits" in messages(exc)
    change = services.set_focus(
        cast.therapist, course, [{"area": "interpersonal_deficits", "deficits_confirmed": True}]
    )
    (notice,) = change.notices
    assert "poorer outcomes" in notice.message and notice.sources == ("S46",)


def test_it_requires_a_reason_for_a_second_area_S132(cast, course):
    areas = [{"area": "grief"}, {"area": "role_transition"}]
    with pytest.raises(ValidationError) as exc:
        services.set_focus(cast.therapist, course, areas)
    assert "Record why a second problem area is needed" in messages(exc)
    areas[1]["reason"] = "Retired after the death"
    assert len(services.set_focus(cast.therapist, course, areas).foci) == 2


def test_it_never_takes_a_dispute_and_a_transition_together_S43(cast, course):
    areas = [
        {"area": "role_dispute", "dispute_stage": "renegotiation"},
        {"area": "role_transition", "reason": "Both"},
    ]
    with pytest.raises(ValidationError) as exc:
        services.set_focus(cast.therapist, course, areas)
    assert "focus on only one of them" in messages(exc)
    assert not Focus.objects.exists()


def test_it_keeps_replaced_foci_as_history(cast, course):
    choose_grief_focus(actor=cast.therapist, course=course)
    services.set_focus(cast.therapist, course, [{"area": "role_transition"}])
    course.refresh_from_db()
    assert course.primary_area == "role_transition"
    rows = list(course.foci.order_by("id").values_list("area", "replaced_at"))
    assert rows[0][0] == "grief" and rows[0][1] is not None
    assert rows[1] == ("role_transition", None)
    assert TaskCompletion.objects.filter(course=course, task_id="choose_problem_area").exists()


def test_it_refuses_an_area_the_services_naming_model_lacks(cast, course, settings):
    settings.OPENIPT_PROBLEM_AREA_NAMING = "stuart"
    with pytest.raises(ValidationError) as exc:
        services.set_focus(
            cast.therapist, course, [{"area": "interpersonal_deficits", "deficits_confirmed": True}]
        )
    assert "has no area" in messages(exc)


# --- goals, tasks, records -----------------------------------------------------------------


def test_it_replaces_goals_keeping_ids(cast, course):
    first = services.set_goals(cast.therapist, course, [{"text": "Sleep"}, {"text": "Call Mum"}])
    kept = services.set_goals(
        cast.therapist,
        course,
        [{"id": first[1].pk, "text": "Call Mum weekly", "status": "partly_met"}],
    )
    assert [(g.pk, g.text, g.status) for g in kept] == [
        (first[1].pk, "Call Mum weekly", "partly_met")
    ]
    assert course.goals.count() == 1


def test_it_refuses_bad_goals(cast, course, other_course):
    cases = [
        ([{"text": "  "}], "write the goal"),
        ([{"text": "x", "status": "great"}], "status must be one of"),
        ([{"text": "x"}] * 11, "10 goals at most"),
    ]
    alien = services.set_goals(cast.outsider, other_course, [{"text": "theirs"}])[0]
    cases.append(([{"id": alien.pk, "text": "mine"}], "belongs to another course"))
    for goals, text in cases:
        with pytest.raises(ValidationError) as exc:
            services.set_goals(cast.therapist, course, goals)
        assert text in messages(exc)


def test_it_ticks_contract_and_goals_once_both_exist(cast, course):
    agree_contract(actor=cast.therapist, course=course)
    assert not course.task_completions.filter(task_id="contract_and_goals").exists()
    services.set_goals(cast.therapist, course, [{"text": "Sleep better"}])
    assert course.task_completions.filter(task_id="contract_and_goals").exists()


def test_it_completes_and_uncompletes_tasks_and_refuses_recurring_ones(cast, course):
    services.complete_task(cast.therapist, course, "psychoeducation")
    services.complete_task(cast.therapist, course, "psychoeducation")  # idempotent
    assert course.task_completions.count() == 1
    assert "psychoeducation" not in {t.id for t in services.next_agenda(course).tasks}
    services.uncomplete_task(cast.therapist, course, "psychoeducation")
    assert course.task_completions.count() == 0
    with pytest.raises(ValidationError) as exc:
        services.complete_task(cast.therapist, course, "check_in_since_last")
    assert "belongs to every session" in messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.complete_task(cast.therapist, course, "tea_break")
    assert "Unknown IPT task" in messages(exc)


def test_it_records_the_limited_sick_role_in_ipt_a_S18(cast):
    course = services.open_course(cast.therapist, cast.client, "adolescent", started_on=START)
    record = services.record_sick_role(
        cast.therapist, course, diagnosis_label="Depressive episode", explained_on=START
    )
    assert record.limited is True
    assert course.task_completions.filter(task_id="sick_role").exists()
    with pytest.raises(ValidationError):
        services.record_sick_role(cast.therapist, course, diagnosis_label="")


def test_it_records_a_medication_evaluation_S3(cast, course):
    services.record_medication_evaluation(
        cast.therapist, course, decision="not_indicated", severity="Moderate", evaluated_on=START
    )
    assert course.task_completions.filter(task_id="medication_evaluation").exists()
    with pytest.raises(ValidationError) as exc:
        services.record_medication_evaluation(cast.therapist, course, decision="maybe")
    assert "decision" in exc.value.message_dict


# --- the agenda ---------------------------------------------------------------------------


def test_it_reminds_to_raise_the_ending_when_four_sessions_remain_S33(cast, course):
    agree_contract(actor=cast.therapist, course=course, planned_sessions=16)
    run_sessions(actor=cast.therapist, course=course, count=3)
    choose_grief_focus(actor=cast.therapist, course=course)
    run_sessions(actor=cast.therapist, course=course, count=8)
    assert "raise_ending" not in {r.code for r in services.next_agenda(course).reminders}
    run_sessions(actor=cast.therapist, course=course, count=1)
    plan = services.next_agenda(course)
    assert plan.session_label == "Session 13 of 16"
    assert any(r.message == "4 sessions remain: raise the ending." for r in plan.reminders)


def test_it_builds_the_agenda_from_the_stored_state(cast, course):
    course.measure_due = True
    plan = services.next_agenda(course)
    assert plan.phase == "initial" and plan.planned_is_contract is False
    assert "measure_due" in {r.code for r in plan.reminders}
    assert plan == services.next_agenda(course)


# --- termination --------------------------------------------------------------------------


def finish(actor, course):
    agree_contract(actor=actor, course=course, planned_sessions=12)
    run_sessions(actor=actor, course=course, count=3)
    choose_grief_focus(actor=actor, course=course)
    run_sessions(actor=actor, course=course, count=9)


def test_it_ends_with_a_maintenance_course_S34(cast, course):
    finish(cast.therapist, course)
    services.set_goals(
        cast.therapist, course, [{"text": "Keep seeing friends", "after_treatment": True}]
    )
    ending = services.record_termination(
        cast.therapist,
        course,
        why_better="I started talking about her",
        warning_signs="Not sleeping",
        what_helps="Calling my sister",
        maintenance_discussed=True,
        decision="maintenance_contract",
        maintenance_frequency="monthly",
        maintenance_months=12,
    )
    course.refresh_from_db()
    assert (course.status, course.end_decision) == ("ended", "maintenance_contract")
    nxt = ending.follow_on
    assert (nxt.format, nxt.follows, nxt.frequency) == ("maintenance", course, "monthly")
    assert (nxt.planned_sessions, nxt.maintenance_months) == (12, 12)
    assert nxt.contracts.count() == 1 and nxt.contract_agreed_on == course.ended_on
    assert [f.area for f in nxt.foci.all()] == ["grief"]
    assert [g.text for g in nxt.goals.all()] == ["Keep seeing friends"]
    done = set(course.task_completions.values_list("task_id", flat=True))
    assert {"why_feeling_better", "warning_signs_relapse_plan", "maintenance_decision"} <= done
    (session,) = run_sessions(actor=cast.therapist, course=nxt, count=1)
    assert session.phase == "maintenance"


def test_it_ends_with_a_continuation_course_of_the_same_format_S35(cast, course):
    finish(cast.therapist, course)
    ending = services.record_termination(
        cast.therapist,
        course,
        response="partial",
        decision="continuation_contract",
        continuation_sessions=8,
        maintenance_discussed=True,
    )
    nxt = ending.follow_on
    assert (nxt.format, nxt.planned_sessions, nxt.follows_id) == ("standard", 8, course.pk)
    assert nxt.task_completions.filter(task_id="choose_problem_area").exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"decision": "discharge_with_relapse_plan"}, "warning_signs", "relapse plan"),
        ({"decision": "maintenance_contract"}, "maintenance_frequency", "how often"),
        (
            {"decision": "maintenance_contract", "maintenance_frequency": "monthly"},
            "maintenance_months",
            "how many months",
        ),
        (
            {
                "decision": "maintenance_contract",
                "maintenance_frequency": "weekly",
                "maintenance_months": 36,
            },
            "maintenance_months",
            "1 to 104 sessions",
        ),
        ({"decision": "continuation_contract"}, "continuation_sessions", "number of sessions"),
        ({"decision": "referral"}, "detail", "Say which treatment"),
        ({"decision": "sail_away"}, "decision", "Unknown end-of-treatment decision"),
    ],
)
def test_it_refuses_an_incomplete_ending_S5_S34(cast, course, kwargs, field, text):
    run_sessions(actor=cast.therapist, course=course, count=1)
    with pytest.raises(ValidationError) as exc:
        services.record_termination(cast.therapist, course, why_better="x", **kwargs)
    assert text in " ".join(exc.value.message_dict[field])
    course.refresh_from_db()
    assert course.status == "active"
    assert not course.followed_by.exists()
    from openipt.courses.models import TerminationReview

    assert not TerminationReview.objects.filter(course=course).exists()


def test_it_warns_when_maintenance_was_not_discussed_S5(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=1)
    ending = services.record_termination(
        cast.therapist, course, decision="other_treatment", detail="Medication via GP"
    )
    assert [n.code for n in ending.notices] == ["maintenance_not_discussed"]


def test_it_saves_a_review_without_ending(cast, course):
    ending = services.record_termination(cast.therapist, course, achieved="Back at work")
    assert ending.ended is False
    services.record_termination(cast.therapist, course, not_achieved="Sleep")
    course.refresh_from_db()
    assert course.status == "active"
    assert (course.termination.achieved, course.termination.not_achieved) == (
        "Back at work",
        "Sleep",
    )


def test_it_refuses_an_end_date_before_the_last_session(cast, course):
    run_sessions(actor=cast.therapist, course=course, count=2)
    with pytest.raises(ValidationError) as exc:
        services.record_termination(
            cast.therapist, course, decision="referral", detail="x", ended_on=START
        )
    assert "before the last session" in messages(exc)


def test_it_refuses_unknown_review_fields(cast, course):
    with pytest.raises(ValidationError) as exc:
        services.record_termination(cast.therapist, course, mood="fine")
    assert "Unknown fields: mood" in messages(exc)


def test_it_refuses_control_characters_in_notes(cast, course):
    with pytest.raises(ValidationError) as exc:
        services.record_session(cast.therapist, course, START, "attended", notes="bad\x00")
    assert "control character" in messages(exc)
    assert not Session.objects.exists()
