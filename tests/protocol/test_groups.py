"""Group IPT programmes: the content loads with sources, and its pure rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from openipt.protocol.errors import ProtocolContentError, ProtocolError
from openipt.protocol.groups import (
    ProgrammesFile,
    all_programmes,
    composition_problem,
    get_programme,
    plain_area_names,
    screen,
)
from openipt.protocol.loader import CONTENT_DIR, load_content

TEXT = (CONTENT_DIR / "group_programmes.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "group_programmes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_encodes_the_who_schedule_as_the_ethiopian_pilot_ran_it():
    who = get_programme("who_8")
    assert who.group_sessions == 8 and who.pre_group.sessions == 1
    phases = [(b.phase, b.first, b.last) for b in who.phases]
    assert phases == [("initial", 1, 1), ("middle", 2, 7), ("termination", 8, 8)]
    assert [t.id for t in who.pre_group.tasks][:2] == ["symptom_inventory", "link_onset"]
    assert who.phase(5).value == "middle" and "homework" in [t.id for t in who.tasks(5)]
    assert "S10" in who.phases[1].sources


def test_it_keeps_what_the_who_manual_could_not_confirm_as_settings():
    who = get_programme("who_8")
    for value in (who.session_minutes, who.group_size, who.composition, who.facilitators):
        assert value.setting, value
    assert who.screening.setting
    assert all(e.setting for e in who.exclusions)


@pytest.mark.parametrize(
    ("code", "sessions", "size", "phases"),
    [
        ("strongminds_12", 12, (12, 15), [(1, 4), (5, 9), (10, 12)]),
        ("uganda_16", 16, (8, 12), [(1, 3), (4, 13), (14, 16)]),
        ("school_10", 10, (6, 8), [(1, 2), (3, 9), (10, 10)]),
        ("uganda_vht_12", 12, (8, 12), [(1, 3), (4, 10), (11, 12)]),
    ],
)
def test_it_holds_the_other_sourced_schedules(code, sessions, size, phases):
    programme = get_programme(code)
    assert programme.group_sessions == sessions
    assert (programme.group_size.min, programme.group_size.max) == size
    assert [(b.first, b.last) for b in programme.phases] == phases


def test_it_uses_sourced_facts_where_the_programmes_give_them():
    sm = get_programme("strongminds_12")
    assert not sm.group_size.setting and sm.screening.screenings == 2
    assert (sm.session_minutes.min, sm.session_minutes.max) == (60, 90)
    assert get_programme("uganda_vht_12").facilitators.min == 2
    assert not get_programme("uganda_vht_12").facilitators.setting


def test_it_names_the_problem_areas_in_the_who_plain_words():
    names = dict(plain_area_names(get_programme("who_8")))
    assert names == {
        "grief": "Grief",
        "role_dispute": "Disputes",
        "role_transition": "Life changes",
        "interpersonal_deficits": "Loneliness / social isolation",
    }


def test_it_sends_any_exclusion_to_individual_care():
    who = get_programme("who_8")
    result = screen(who, 25, {"current_suicide_plan"})
    assert (result.eligible, result.individual_care) == (False, True)
    assert screen(who, 10, set()).eligible
    below = screen(who, 9, set())
    assert (below.eligible, below.individual_care) == (False, False)
    with pytest.raises(ProtocolError, match="Unknown exclusion"):
        screen(who, 12, {"bad_mood"})


def test_it_keeps_single_sex_groups_single_sex():
    assert composition_problem("single_sex", ["female"], "male") == "This is a single-sex group."
    assert composition_problem("single_sex", [], "male") is None
    assert composition_problem("mixed", ["female"], "male") is None


def test_it_refuses_an_unknown_programme():
    with pytest.raises(ProtocolError, match="Unknown group programme"):
        get_programme("nope")
    assert len(all_programmes()) == 5


def test_it_refuses_a_schedule_with_a_gap(tmp_path):
    broken = TEXT.replace(
        "        first: 2\n        last: 7\n", "        first: 3\n        last: 7\n", 1
    )
    assert broken != TEXT
    with pytest.raises(ProtocolContentError, match=r"entry 'who_8'(.|\n)*must start at session 2"):
        load_content(write(tmp_path, broken), ProgrammesFile)


def test_it_refuses_a_value_without_sources(tmp_path):
    broken = TEXT.replace(
        "    group_size: {min: 6, max: 12, setting: true, sources: [S313, S301, S312],",
        "    group_size: {min: 6, max: 12, setting: true,",
        1,
    )
    assert broken != TEXT
    with pytest.raises(ProtocolContentError, match=r"group_size\.sources"):
        load_content(write(tmp_path, broken), ProgrammesFile)


def test_it_refuses_a_measure_point_past_the_end(tmp_path):
    broken = TEXT.replace("{point: session, session: 8,", "{point: session, session: 9,", 1)
    with pytest.raises(ProtocolContentError, match="past the end"):
        load_content(write(tmp_path, broken), ProgrammesFile)
