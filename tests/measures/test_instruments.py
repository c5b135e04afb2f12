"""Built-in instruments carry exactly the sourced facts, and bad files fail loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openipt.measures import (
    InstrumentError,
    InstrumentRegistry,
    all_instruments,
    builtin_registry,
    get_instrument,
    load_instrument_file,
)
from openipt.measures.published import PUBLISHED_HASHES
from openipt.measures.registry import BUILTIN_DIR, builtin_files

# measures.md §1 (wording [S58], [S100]; codes [S98], [S99], [S100], [S101]).
PHQ9_ITEMS = [
    ("1", "Little interest or pleasure in doing things", "44250-9"),
    ("2", "Feeling down, depressed, or hopeless", "44255-8"),
    ("3", "Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    ("4", "Feeling tired or having little energy", "44254-1"),
    ("5", "Poor appetite or overeating", "44251-7"),
    (
        "6",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "44258-2",
    ),
    (
        "7",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    (
        "8",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "44253-3",
    ),
    (
        "9",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
        "44260-8",
    ),
]
GAD7_ITEMS = [
    ("1", "Feeling nervous, anxious, or on edge", "69725-0"),
    ("2", "Not being able to stop or control worrying", "68509-9"),
    ("3", "Worrying too much about different things", "69733-4"),
    ("4", "Trouble relaxing", "69734-2"),
    ("5", "Being so restless that it is hard to sit still", "69735-9"),
    ("6", "Becoming easily annoyed or irritable", "69689-8"),
    ("7", "Feeling afraid, as if something awful might happen", "69736-7"),
]
FREQUENCY = [
    (0, "Not at all", "LA6568-5"),
    (1, "Several days", "LA6569-3"),
    (2, "More than half the days", "LA6570-1"),
    (3, "Nearly every day", "LA6571-9"),
]


def _options(item):
    return [(o.value, o.label, o.code) for o in item.options]


def test_it_loads_the_four_builtins():
    assert [i.code for i in all_instruments()] == ["gad7", "phq2", "phq9", "who5"]
    assert get_instrument("phq9").version == "1.0"
    assert get_instrument("phq9", "1.0") is get_instrument("phq9")


def test_it_refuses_an_unknown_instrument_or_version():
    with pytest.raises(KeyError, match="unknown instrument nope"):
        get_instrument("nope")
    with pytest.raises(KeyError, match=r"version 9\.9"):
        get_instrument("phq9", "9.9")


def test_it_encodes_the_phq9_items_options_and_codes():
    phq9 = get_instrument("phq9")
    assert [(i.id, i.text, i.loinc) for i in phq9.items[:9]] == PHQ9_ITEMS
    assert all(_options(i) == FREQUENCY for i in phq9.items[:9])
    assert phq9.stem == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert (phq9.loinc.panel, phq9.loinc.total) == ("44249-1", "44261-6")
    assert (phq9.total.min, phq9.total.max) == (0, 27)
    assert phq9.direction == "higher_is_worse"
    assert phq9.licence == "No permission required to reproduce, translate, display or distribute."
    assert "Spitzer" in phq9.attribution and "Pfizer" in phq9.attribution


def test_it_keeps_phq9_item_10_unscored_and_optional():
    item = get_instrument("phq9").item("10")
    assert item is not None
    assert (item.scored, item.required, item.loinc) == (False, False, "69722-7")
    assert [o.code for o in item.options] == ["LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"]
    assert item.options[0].label == "Not difficult at all"


def test_it_encodes_phq9_bands_rules_and_risk_item():
    phq9 = get_instrument("phq9")
    assert [(b.code, b.min, b.max) for b in phq9.bands] == [
        ("minimal", 0, 4),
        ("mild", 5, 9),
        ("moderate", 10, 14),
        ("moderately_severe", 15, 19),
        ("severe", 20, 27),
    ]
    assert phq9.bands[0].label == "None/minimal"
    assert [(r.item, r.min_value) for r in phq9.risk_items] == [("9", 1)]
    assert phq9.reliability is not None and phq9.reliability.value == 0.89
    assert phq9.reliability.sources == ("S200",)
    assert phq9.reliable_change is not None and phq9.reliable_change.value == 6
    assert phq9.mid is not None and phq9.mid.value == 5
    assert phq9.caseness_cutoff is not None and phq9.caseness_cutoff.value == 10
    assert phq9.remission_below is not None and phq9.remission_below.value == 5


def test_it_encodes_gad7():
    gad7 = get_instrument("gad7")
    assert [(i.id, i.text, i.loinc) for i in gad7.items] == GAD7_ITEMS
    assert all(_options(i) == FREQUENCY for i in gad7.items)
    assert (gad7.loinc.panel, gad7.loinc.total) == ("69737-5", "70274-6")
    assert [(b.code, b.min, b.max) for b in gad7.bands] == [
        ("minimal", 0, 4),
        ("mild", 5, 9),
        ("moderate", 10, 14),
        ("severe", 15, 21),
    ]
    assert gad7.reliable_change is not None and gad7.reliable_change.value == 4
    assert gad7.caseness_cutoff is not None and gad7.caseness_cutoff.value == 8
    assert gad7.risk_items == () and gad7.reliability is None and gad7.mid is None


def test_it_encodes_who5_as_higher_is_better_without_loinc():
    who5 = get_instrument("who5")
    assert who5.direction == "higher_is_better"
    assert [i.text for i in who5.items] == [
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
    ]
    assert [(o.value, o.label) for o in who5.items[0].options] == [
        (5, "All of the time"),
        (4, "Most of the time"),
        (3, "More than half of the time"),
        (2, "Less than half of the time"),
        (1, "Some of the time"),
        (0, "At no time"),
    ]
    assert all(i.loinc is None and all(o.code is None for o in i.options) for i in who5.items)
    assert who5.loinc.panel is None and who5.loinc.total is None
    assert [(b.code, b.min, b.max) for b in who5.bands] == [("poor", 0, 12), ("not_poor", 13, 25)]
    assert who5.percentage_multiplier is not None and who5.percentage_multiplier.value == 4
    assert who5.risk_items == ()  # the low-item rule is a screening flag, not suicide risk
    assert [(f.code, f.when, f.value) for f in who5.flags] == [
        ("low_item", "any_item_at_most", 1),
        ("low_total", "total_at_most", 12),
    ]


def test_it_encodes_phq2_without_unsourced_cutoffs_or_codes():
    phq2 = get_instrument("phq2")
    assert [(i.id, i.text, i.loinc) for i in phq2.items] == PHQ9_ITEMS[:2]
    assert (phq2.total.min, phq2.total.max) == (0, 6)
    assert phq2.bands == () and phq2.caseness_cutoff is None
    assert phq2.loinc.panel is None and phq2.loinc.total is None


def test_it_cites_a_source_for_every_instrument_item_and_band():
    for inst in all_instruments():
        assert inst.sources
        assert all(item.sources for item in inst.items)
        assert all(band.sources for band in inst.bands)


def test_it_matches_the_recorded_hash_of_every_builtin():
    files = builtin_files()
    assert len(files) == len(PUBLISHED_HASHES)
    for path in files:
        inst = load_instrument_file(path)
        assert PUBLISHED_HASHES[inst.key] == inst.content_hash, path.name


def test_it_refuses_an_edited_published_version(tmp_path: Path):
    text = (BUILTIN_DIR / "phq9-1.0.yaml").read_text(encoding="utf-8")
    edited = tmp_path / "phq9-1.0.yaml"
    edited.write_text(text.replace("Poor appetite or overeating", "Poor appetite"), "utf-8")
    with pytest.raises(InstrumentError, match="published hash"):
        InstrumentRegistry().add(load_instrument_file(edited))


def test_it_refuses_two_definitions_under_one_code_and_version(demo_data, write_instrument):
    registry = builtin_registry()
    registry.add(load_instrument_file(write_instrument(demo_data)))
    registry.add(load_instrument_file(write_instrument(demo_data)))  # same content is fine
    demo_data["name"] = "Demo scale, edited"
    with pytest.raises(InstrumentError, match="different definition is already registered"):
        registry.add(load_instrument_file(write_instrument(demo_data)))


def test_it_lets_a_service_add_its_own_instrument(demo_data, write_instrument):
    registry = builtin_registry()
    registry.add(load_instrument_file(write_instrument(demo_data)))
    demo_data["version"] = "1.10"
    registry.add(load_instrument_file(write_instrument(demo_data, "demo-1.10.yaml")))
    assert registry.get("demo").version == "1.10"  # numeric, not string, ordering
    assert registry.get("demo", "1.0").version == "1.0"
    assert "demo" not in [i.code for i in all_instruments()]  # the default registry is untouched


def _cited_tags(value: object) -> set[str]:
    if isinstance(value, dict):
        found = set()
        for key, inner in value.items():
            found |= set(inner) if key == "sources" else _cited_tags(inner)
        return found
    if isinstance(value, list):
        return set().union(*(_cited_tags(inner) for inner in value)) if value else set()
    return set()


def test_it_lists_every_cited_source_tag_in_the_docs():
    docs = (Path(__file__).parents[2] / "docs" / "measures.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (S\d+[a-z]?) \|", docs, re.MULTILINE))
    cited = set().union(*(_cited_tags(i.model_dump(mode="json")) for i in all_instruments()))
    assert cited and cited <= listed, cited - listed
