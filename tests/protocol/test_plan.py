"""The agenda: phase, tasks, strategies, techniques and reminders for the next session."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openipt.protocol.errors import ProtocolError
from openipt.protocol.formats import Phase, PhaseOverrides, all_formats
from openipt.protocol.phases import tasks_for
from openipt.protocol.plan import CourseState, FocusItem, agenda

INITIAL_IDS = frozenset(t.id for t in tasks_for(Phase.INITIAL))


def state(**changes: object) -> CourseState:
    values: dict[str, object] = {
        "format_code": "standard",
        "planned_sessions": 16,
        "contract_set": True,
        "sessions_held": 0,
        "next_session_number": 1,
    }
    values.update(changes)
    return CourseState(**values)  # type: ignore[arg-type]


def codes(items: tuple) -> list[str]:
    return [item.code for item in items]


def test_it_opens_a_course_with_the_initial_tasks_s2_s3() -> None:
    plan = agenda(state(contract_set=False, planned_sessions=None))
    assert plan.phase is Phase.INITIAL
    assert plan.session_label == "Session 1 of 16"
    assert plan.planned_is_contract is False
    assert [t.id for t in plan.tasks][:2] == ["symptom_review_diagnosis", "rating_scale"]
    assert not any(t.overdue for t in plan.tasks)
    assert "contract_missing" in codes(plan.reminders)


def test_it_drops_completed_initial_tasks() -> None:
    plan = agenda(state(next_session_number=2, completed_task_ids=frozenset({"rating_scale"})))
    assert "rating_scale" not in [t.id for t in plan.tasks]


def test_it_flags_open_required_initial_tasks_as_overdue_in_the_middle_phase_s33() -> None:
    done = INITIAL_IDS - {"contract_and_goals"}
    plan = agenda(state(sessions_held=4, next_session_number=5, completed_task_ids=done))
    assert plan.phase is Phase.MIDDLE
    overdue = [t.id for t in plan.tasks if t.overdue]
    assert overdue == ["contract_and_goals"]
    assert plan.tasks[0].id == "contract_and_goals"


def test_it_reminds_about_a_missing_focus_at_the_end_of_the_initial_phase_s1() -> None:
    assert "focus_missing" not in codes(agenda(state(next_session_number=2)).reminders)
    assert "focus_missing" in codes(agenda(state(next_session_number=3)).reminders)


def test_it_lists_the_dispute_direction_and_strategies_s44() -> None:
    focus = (FocusItem("role_dispute", "impasse"),)
    plan = agenda(state(sessions_held=5, next_session_number=6, focus=focus))
    assert plan.strategies[0].text.startswith("Impasse stage: Restart the negotiation")
    assert plan.strategies[0].sources == ("S44", "S45")
    assert [t.id for t in plan.techniques][:2] == ["communication_analysis", "role_play"]


def test_it_reminds_to_establish_a_missing_dispute_stage_s44() -> None:
    plan = agenda(state(next_session_number=6, focus=(FocusItem("role_dispute"),)))
    assert "dispute_stage_missing" in codes(plan.reminders)


def test_it_shows_the_deficits_prognosis_note_s46() -> None:
    plan = agenda(state(next_session_number=6, focus=(FocusItem("interpersonal_deficits"),)))
    notice = next(n for n in plan.reminders if n.code == "deficits_prognosis")
    assert notice.sources == ("S46",)


def test_it_counts_down_to_the_ending_s33() -> None:
    before = agenda(state(sessions_held=11, next_session_number=12))
    assert "raise_ending" not in codes(before.reminders)
    due = agenda(state(sessions_held=12, next_session_number=13))
    notice = next(n for n in due.reminders if n.code == "raise_ending")
    assert notice.message == "4 sessions remain: raise the ending."
    last = agenda(state(sessions_held=15, next_session_number=16))
    assert next(n for n in last.reminders if n.code == "raise_ending").message.startswith(
        "1 session remains"
    )


def test_it_says_when_the_contract_is_used_up_s33() -> None:
    plan = agenda(state(sessions_held=16, next_session_number=17))
    assert plan.phase is Phase.TERMINATION
    assert "beyond_contract" in codes(plan.reminders)


def test_it_lists_termination_tasks_in_the_termination_phase_s33() -> None:
    plan = agenda(state(sessions_held=13, next_session_number=14, completed_task_ids=INITIAL_IDS))
    assert plan.tasks[0].id == "raise_the_ending"
    assert plan.techniques == ()


def test_it_flags_the_engagement_session_of_brief_ipt_s21_s22() -> None:
    plan = agenda(state(format_code="brief", planned_sessions=9))
    assert plan.engagement is True
    assert "engagement_session" in codes(plan.reminders)


def test_it_shows_ipt_a_intake_exclusions_at_the_first_session_s15() -> None:
    plan = agenda(state(format_code="adolescent", planned_sessions=12))
    notice = next(n for n in plan.reminders if n.code == "intake_screen")
    assert "bipolar disorder" in notice.message
    assert next(t for t in plan.tasks if t.id == "sick_role").label == "Give the limited sick role"


def test_it_keeps_the_interpersonal_focus_in_maintenance_s31_s32() -> None:
    plan = agenda(state(format_code="maintenance", planned_sessions=24, next_session_number=3))
    assert plan.phase is Phase.MAINTENANCE
    assert [t.id for t in plan.tasks] == ["keep_interpersonal_focus"]
    assert "focus_missing" not in codes(plan.reminders)


def test_it_reminds_about_due_and_missed_measures_s4() -> None:
    plan = agenda(state(measure_due=True, measure_missed=True))
    assert {"measure_due", "measure_missed"} <= set(codes(plan.reminders))
    assert "measure_due" not in codes(agenda(state(measure_due=None)).reminders)


def test_it_returns_an_empty_agenda_for_an_ended_course() -> None:
    plan = agenda(state(ended=True, next_session_number=10))
    assert plan.tasks == () and codes(plan.reminders) == ["course_ended"]


def test_it_refuses_an_impossible_state() -> None:
    with pytest.raises(ProtocolError, match="start at 1"):
        state(next_session_number=0)


def test_it_serialises_to_plain_json() -> None:
    plan = agenda(state(next_session_number=6, focus=(FocusItem("role_dispute", "impasse"),)))
    data = plan.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["phase"] == "middle"
    assert type(data["phase"]) is str
    assert data["session_label"] == "Session 6 of 16"


focus_items = st.lists(
    st.builds(
        FocusItem,
        area=st.sampled_from(
            ["grief", "role_dispute", "role_transition", "interpersonal_deficits"]
        ),
        dispute_stage=st.sampled_from([None, "renegotiation", "impasse", "dissolution"]),
    ),
    max_size=2,
    unique_by=lambda f: f.area,
).map(tuple)

states = st.builds(
    CourseState,
    format_code=st.sampled_from([f.code for f in all_formats()]),
    planned_sessions=st.one_of(st.none(), st.integers(1, 40)),
    contract_set=st.booleans(),
    sessions_held=st.integers(0, 45),
    next_session_number=st.integers(1, 45),
    focus=focus_items,
    completed_task_ids=st.frozensets(st.sampled_from(sorted(INITIAL_IDS | {"raise_the_ending"}))),
    measure_due=st.sampled_from([None, True, False]),
    measure_missed=st.booleans(),
    ended=st.booleans(),
    overrides=st.one_of(
        st.none(),
        st.builds(
            PhaseOverrides,
            initial_sessions=st.one_of(st.none(), st.integers(1, 5)),
            termination_sessions=st.one_of(st.none(), st.integers(1, 5)),
            raise_ending_when_remaining=st.one_of(st.none(), st.integers(0, 6)),
        ),
    ),
)


@given(states)
def test_it_gives_the_same_agenda_for_the_same_state(course: CourseState) -> None:
    first = agenda(course)
    again = agenda(CourseState(**{k: getattr(course, k) for k in course.__dataclass_fields__}))
    assert first == again
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(
        again.to_dict(), sort_keys=True
    )


@given(states)
def test_it_cites_sources_for_every_clinical_item(course: CourseState) -> None:
    plan = agenda(course)
    for item in (*plan.tasks, *plan.strategies, *plan.techniques):
        assert item.sources
    for notice in plan.reminders:
        assert notice.sources or notice.code == "course_ended"
    assert len({t.id for t in plan.tasks}) == len(plan.tasks)
