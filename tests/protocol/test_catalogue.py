"""Tasks by phase, problem areas, naming schemes, dispute stages and techniques."""

from __future__ import annotations

import pytest

from openipt.protocol.errors import ProtocolError
from openipt.protocol.formats import Phase, get_format
from openipt.protocol.phases import get_task, tasks_for
from openipt.protocol.problem_areas import (
    DISPUTE_STAGES,
    all_areas,
    area_label,
    dispute_stage,
    get_area,
)
from openipt.protocol.techniques import all_techniques, get_technique


def ids(phase: Phase | str, code: str | None = None) -> list[str]:
    fmt = get_format(code) if code else None
    return [task.id for task in tasks_for(phase, fmt)]


def test_it_lists_the_initial_tasks_in_order_s2_s3_s33() -> None:
    assert ids("initial") == [
        "symptom_review_diagnosis",
        "rating_scale",
        "sick_role",
        "medication_evaluation",
        "psychoeducation",
        "interpersonal_inventory",
        "link_symptoms_to_events",
        "choose_problem_area",
        "share_formulation",
        "contract_and_goals",
    ]


def test_it_lists_the_middle_routine_as_recurring_s2_s48() -> None:
    tasks = tasks_for(Phase.MIDDLE)
    assert [t.id for t in tasks][:2] == ["check_in_since_last", "link_mood_and_events"]
    assert all(t.recurring for t in tasks)


def test_it_lists_the_termination_tasks_s33_s34_s35_s5() -> None:
    assert ids("termination") == [
        "raise_the_ending",
        "why_feeling_better",
        "review_achieved_and_not",
        "feelings_about_ending",
        "warning_signs_relapse_plan",
        "anticipate_problems",
        "goals_after_treatment",
        "non_responder_handling",
        "partial_responder_handling",
        "maintenance_decision",
    ]


def test_it_requires_the_maintenance_discussion_with_all_patients_s5() -> None:
    assert get_task("maintenance_decision").required is True


def test_it_gives_adolescents_the_limited_sick_role_s18() -> None:
    adolescent = {t.id: t for t in tasks_for(Phase.INITIAL, get_format("adolescent"))}
    adult = {t.id: t for t in tasks_for(Phase.INITIAL, get_format("standard"))}
    assert "limited sick role" in adolescent["sick_role"].label
    assert "S18" in adolescent["sick_role"].sources
    assert "limited" not in adult["sick_role"].label


def test_it_refuses_an_unknown_task() -> None:
    with pytest.raises(ProtocolError, match="Unknown IPT task 'nap'"):
        get_task("nap")


def test_it_has_the_four_problem_areas_s1() -> None:
    assert [a.code for a in all_areas()] == [
        "grief",
        "role_dispute",
        "role_transition",
        "interpersonal_deficits",
    ]


def test_it_notes_the_poorer_prognosis_of_deficits_s46() -> None:
    prognosis = get_area("interpersonal_deficits").prognosis
    assert prognosis is not None
    assert "poorer outcomes" in prognosis.text
    assert prognosis.sources == ("S46",)
    assert all(get_area(c).prognosis is None for c in ("grief", "role_dispute"))


def test_it_gives_each_area_a_client_explanation() -> None:
    for area in all_areas():
        assert area.client_explanation.sources
        assert len(area.client_explanation.text) < 400


def test_it_refuses_an_unknown_area() -> None:
    with pytest.raises(ProtocolError, match="Unknown problem area 'anger'"):
        get_area("anger")


@pytest.mark.parametrize(
    ("code", "scheme", "label"),
    [
        ("grief", "canonical", "Grief"),
        ("grief", "stuart", "Grief and loss"),
        ("interpersonal_deficits", "stuart", None),
        ("role_transition", "who_lay", "Life changes"),
        ("interpersonal_deficits", "who_lay", "Loneliness / social isolation"),
        ("role_dispute", "uk", "Interpersonal role dispute"),
    ],
)
def test_it_names_areas_per_scheme_s6_s8_s138(code: str, scheme: str, label: str | None) -> None:
    assert area_label(code, scheme) == label


def test_it_refuses_an_unknown_naming_scheme() -> None:
    with pytest.raises(ProtocolError, match="Unknown naming scheme 'ipc'"):
        area_label("grief", "ipc")


def test_it_orders_the_dispute_stages_with_directions_s44() -> None:
    assert [str(s) for s in DISPUTE_STAGES] == ["renegotiation", "impasse", "dissolution"]
    assert "mourn" in dispute_stage("dissolution").direction
    with pytest.raises(ProtocolError, match="Unknown dispute stage"):
        dispute_stage("truce")


def test_it_lists_the_techniques_s48() -> None:
    assert [t.id for t in all_techniques()] == [
        "exploration",
        "encouragement_of_affect",
        "clarification",
        "communication_analysis",
        "decision_analysis",
        "role_play",
        "therapeutic_relationship",
        "work_at_home",
    ]


def test_it_gives_decision_analysis_five_steps_s19() -> None:
    steps = get_technique("decision_analysis").steps
    assert len(steps) == 5
    assert steps[-1].startswith("Role-play")
