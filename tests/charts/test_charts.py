"""Behaviour of the chart functions: determinism, accessibility markup and input checks."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest

from openipt.charts import (
    Band,
    CirclePerson,
    EventMark,
    MoodEntry,
    ScorePoint,
    TimelineEvent,
    closeness_circle,
    mood_chart,
    score_chart,
    timeline,
)
from tests.charts.cases import CASES, PHQ9_BANDS, PHQ9_COURSE, WHO5_BANDS, week

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: str) -> list[str]:
    return [el.text or "" for el in parse(svg).iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_gives_identical_bytes_for_the_same_call(name: str) -> None:
    assert CASES[name]() == CASES[name]()


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_is_accessible_inline_svg(name: str) -> None:
    svg = CASES[name]()
    root = parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("viewBox")
    title, desc = root[0], root[1]
    assert title.tag.endswith("title") and title.text
    assert desc.tag.endswith("desc") and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert svg.startswith("<svg"), "no XML declaration or DOCTYPE, so it can be inlined"


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_needs_no_inline_css(name: str) -> None:
    # A strict Content-Security-Policy blocks style="" and <style> in inline SVG.
    svg = CASES[name]()
    assert "style=" not in svg
    assert "<style" not in svg


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_keeps_text_as_text(name: str) -> None:
    assert any(t.strip() for t in texts(CASES[name]()))


def test_it_never_repeats_an_id_across_two_charts_on_one_page() -> None:
    first = CASES["score_sessions"]()
    second = CASES["score_empty"]()
    ids = re.findall(r' id="([^"]+)"', first) + re.findall(r' id="([^"]+)"', second)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_points_every_reference_at_an_id_in_the_same_svg(name: str) -> None:
    svg = CASES[name]()
    ids = set(re.findall(r' id="([^"]+)"', svg))
    references = re.findall(r"url\(#([^)]+)\)", svg) + re.findall(r'href="#([^"]+)"', svg)
    assert set(references) <= ids


def test_it_scopes_the_references_matplotlib_writes() -> None:
    # The score chart is written directly and refers to nothing; matplotlib's charts do.
    svg = CASES["circle_full"]()
    references = re.findall(r"url\(#([^)]+)\)", svg) + re.findall(r'href="#([^"]+)"', svg)
    assert references
    assert all(reference.startswith(f"{parse(svg).get('id')}-") for reference in references)


def test_it_renders_the_same_bytes_from_many_threads() -> None:
    expected = CASES["score_sessions"]()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: CASES["score_sessions"](), range(8)))
    assert all(result == expected for result in results)


def test_it_writes_every_band_label_on_the_chart() -> None:
    words = " ".join(texts(CASES["score_sessions"]())).split()
    for band in PHQ9_BANDS:
        for word in band.label.split():
            assert word in words, f"band label word {word!r} missing"
    assert "Severe" in words and "20–27" in words


def test_it_summarises_the_scores_in_the_desc() -> None:
    desc = parse(CASES["score_sessions"]())[1].text or ""
    assert "First: 19 (Moderately severe) at session 1, 3 Mar 2025" in desc
    assert "Latest: 5 (Mild) at session 12" in desc
    assert "Lower scores are better" in desc
    assert "Started new job" in desc


def test_it_says_which_direction_is_better() -> None:
    svg = CASES["score_higher_is_better"]()
    assert "Higher is better." in " ".join(texts(svg))
    assert "Higher scores are better" in (parse(svg)[1].text or "")


def test_it_names_events_in_the_score_charts_key() -> None:
    written = " ".join(texts(CASES["score_sessions"]()))
    assert "Started new job (" in written and "Argument with sister (" in written


def test_it_says_no_scores_yet_when_empty() -> None:
    svg = CASES["score_empty"]()
    assert "No scores yet" in texts(svg)
    assert (parse(svg)[1].text or "").startswith("No scores yet.")


def test_it_draws_an_empty_series_by_date_without_dates() -> None:
    svg = score_chart((), WHO5_BANDS, title="WHO-5", y_max=25, x="date")
    assert "No scores yet" in texts(svg)


def test_it_places_a_score_without_a_session_by_its_date() -> None:
    series = (*PHQ9_COURSE[:3], ScorePoint(None, week(1) + datetime.timedelta(days=3), 17))
    svg = score_chart(series, PHQ9_BANDS, title="PHQ-9", y_max=27)
    assert "17" in texts(svg)


def test_it_rejects_an_unknown_x_axis() -> None:
    with pytest.raises(ValueError, match='x must be "session" or "date"'):
        score_chart(PHQ9_COURSE, PHQ9_BANDS, title="PHQ-9", y_max=27, x="week")  # type: ignore[arg-type]


def test_it_rejects_a_band_upside_down() -> None:
    with pytest.raises(ValueError, match="upper 4 below lower 9"):
        Band(9, 4, "Mild")


def test_it_draws_one_score_and_events_outside_the_scores() -> None:
    svg = score_chart(
        PHQ9_COURSE[:1],
        PHQ9_BANDS,
        title="PHQ-9",
        y_max=27,
        events=(EventMark(week(-4), "Bereavement"), EventMark(week(9), "Holiday")),
    )
    written = texts(svg)
    assert "Before" in written
    assert any(t.startswith("Bereavement (") for t in written)
    assert any(t.startswith("Holiday (") for t in written)


@pytest.mark.parametrize("ring", [0, 5, -1])
def test_it_rejects_a_ring_outside_one_to_four(ring: int) -> None:
    with pytest.raises(ValueError, match=r"Ring for 'Sam' must be 1 \(closest\) to 4"):
        CirclePerson("Sam", ring)


def test_it_checks_people_passed_to_the_circle() -> None:
    person = CirclePerson("Sam", 1)
    object.__setattr__(person, "ring", 7)  # as if built around the constructor
    with pytest.raises(ValueError, match="got 7"):
        closeness_circle([person], title="Circle")


def test_it_rejects_unknown_conflict_and_support() -> None:
    with pytest.raises(ValueError, match="Conflict for 'Sam' must be one of none, covert, overt"):
        CirclePerson("Sam", 1, conflict="hostile")
    with pytest.raises(ValueError, match="Support for 'Sam'"):
        CirclePerson("Sam", 1, support="emotional")


def test_it_labels_every_person_and_the_legend() -> None:
    svg = CASES["circle_full"]()
    words = " ".join(texts(svg))
    for name in ["Sam (partner)", "Uncle Bill", "Neighbour", "Grandma Rose"]:
        assert name in words
    for entry in ["Confiding support", "Practical support", "Lost (died or ended)"]:
        assert entry in words
    assert "Overt conflict" in words and "Covert conflict" in words


def test_it_describes_the_circle_ring_by_ring() -> None:
    desc = parse(CASES["circle_full"]())[1].text or ""
    assert "with 15 people" in desc
    assert "Ring 1 (closest): Sam (partner) (confiding support, overt conflict)" in desc
    assert "Uncle Bill (lost)" in desc


def test_it_keeps_input_order_within_a_ring() -> None:
    first = closeness_circle([CirclePerson("A", 1), CirclePerson("B", 1)], title="C")
    second = closeness_circle([CirclePerson("B", 1), CirclePerson("A", 1)], title="C")
    assert first != second


def test_it_draws_an_empty_circle() -> None:
    svg = CASES["circle_empty"]()
    assert "No people added yet" in texts(svg)
    assert "Client" in texts(svg)


def test_it_marks_the_symptom_onset_on_the_timeline() -> None:
    svg = CASES["timeline_full"]()
    words = " ".join(texts(svg))
    assert "Symptom onset May 2024" in words
    assert "PHQ-9" in words
    desc = parse(svg)[1].text or ""
    assert desc.startswith("Symptom onset 10 May 2024.")
    assert "6 events" in desc and "PHQ-9 totals: 1 Sep 2024 21" in desc


def test_it_names_each_event_kind_in_the_timeline_legend() -> None:
    words = texts(CASES["timeline_full"]())
    assert {"Loss", "Move", "Work", "Relationship", "Health"} <= set(words)


def test_it_draws_a_timeline_with_only_an_onset() -> None:
    svg = timeline((), onset=datetime.date(2024, 5, 1), title="Timeline")
    assert "Symptom onset May 2024" in texts(svg)


def test_it_draws_an_empty_timeline() -> None:
    assert "No events yet" in texts(CASES["timeline_empty"]())


def test_it_summarises_the_mood_diary() -> None:
    desc = parse(CASES["mood_fortnight"]())[1].text or ""
    assert desc.startswith("14 diary entries from 3 Mar 2025 to 16 Mar 2025.")
    assert "lowest 3 on 3 Mar 2025" in desc
    assert "Latest: mood 8, 5 contacts on 16 Mar 2025." in desc


def test_it_draws_an_empty_mood_chart() -> None:
    assert "No entries yet" in texts(CASES["mood_empty"]())


def test_it_draws_a_single_mood_entry() -> None:
    svg = mood_chart([MoodEntry(week(0), 5, 1)], title="Mood")
    assert "1 diary entry from" in (parse(svg)[1].text or "")


@pytest.mark.parametrize("mood", [-1, 11])
def test_it_rejects_a_mood_outside_zero_to_ten(mood: int) -> None:
    with pytest.raises(ValueError, match="Mood must be between 0 and 10"):
        MoodEntry(week(0), mood, 0)


def test_it_accepts_any_event_kind() -> None:
    event = TimelineEvent(datetime.date(2024, 1, 1), "something unusual", "Odd thing")
    assert "Something unusual" in texts(timeline([event], onset=None, title="T"))
