"""Malformed instrument files fail loudly, naming the file and the field."""

from __future__ import annotations

import pytest

from openipt.measures import InstrumentError, load_instrument_file


def _error(write_instrument, data, name="demo-1.0.yaml") -> InstrumentError:
    path = write_instrument(data, name)
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert str(path) in str(caught.value)
    return caught.value


def test_it_accepts_the_valid_fixture(demo_data, write_instrument):
    inst = load_instrument_file(write_instrument(demo_data))
    assert inst.key == ("demo", "1.0")


def test_it_refuses_an_unknown_field(demo_data, write_instrument):
    demo_data["items"][0]["colour"] = "red"
    error = _error(write_instrument, demo_data)
    assert "items.0.colour: Extra inputs are not permitted" in str(error)


def test_it_refuses_a_boolean_option_value(demo_data, write_instrument):
    demo_data["items"][0]["options"] = [{"value": False, "label": "No"}, {"value": 1, "label": "Y"}]
    assert "items.0.options.0.value" in str(_error(write_instrument, demo_data))


def test_it_refuses_an_unquoted_item_id(demo_data, write_instrument):
    demo_data["items"][0]["id"] = 1
    assert "items.0.id: Input should be a valid string" in str(_error(write_instrument, demo_data))


def test_it_refuses_a_missing_field(demo_data, write_instrument):
    del demo_data["licence"]
    assert "licence: Field required" in str(_error(write_instrument, demo_data))


def test_it_refuses_a_bad_loinc_code(demo_data, write_instrument):
    demo_data["items"][0]["loinc"] = "44250"
    assert "items.0.loinc" in str(_error(write_instrument, demo_data))


def test_it_refuses_a_gap_between_bands(demo_data, write_instrument):
    demo_data["bands"][1]["min"] = 3
    assert "bands: gap between low and high" in str(_error(write_instrument, demo_data))


def test_it_refuses_overlapping_bands(demo_data, write_instrument):
    demo_data["bands"][1]["min"] = 1
    assert "bands: overlap between low and high" in str(_error(write_instrument, demo_data))


def test_it_refuses_bands_that_do_not_cover_the_range(demo_data, write_instrument):
    demo_data["bands"][1]["max"] = 3
    assert "last band ends at 3, not 4" in str(_error(write_instrument, demo_data))


def test_it_refuses_a_total_range_that_does_not_match_the_items(demo_data, write_instrument):
    demo_data["total"]["max"] = 6
    assert "total: range 0-6 does not match" in str(_error(write_instrument, demo_data))


def test_it_refuses_a_risk_item_that_is_not_an_item(demo_data, write_instrument):
    demo_data["risk_items"][0]["item"] = "9"
    assert "risk_items: unknown item 9" in str(_error(write_instrument, demo_data))


def test_it_refuses_duplicate_item_ids_and_option_values(demo_data, write_instrument):
    demo_data["items"][1]["id"] = "1"
    assert "duplicate item id" in str(_error(write_instrument, demo_data))
    demo_data["items"][1]["id"] = "2"
    demo_data["items"][1]["options"] = [{"value": 0, "label": "a"}, {"value": 0, "label": "b"}]
    assert "duplicate option value" in str(_error(write_instrument, demo_data))


def test_it_refuses_a_scored_item_that_is_optional(demo_data, write_instrument):
    demo_data["items"][0]["required"] = False
    assert "a scored item must be required" in str(_error(write_instrument, demo_data))


def test_it_refuses_a_source_that_is_not_a_tag(demo_data, write_instrument):
    demo_data["sources"] = ["Kroenke 2001"]
    assert "sources.0" in str(_error(write_instrument, demo_data))


def test_it_refuses_a_file_name_that_does_not_match(demo_data, write_instrument):
    error = _error(write_instrument, demo_data, "demo-2.0.yaml")
    assert "file name must be demo-1.0.yaml" in str(error)


def test_it_refuses_broken_yaml_and_non_mappings(write_instrument):
    assert "cannot read YAML" in str(_error(write_instrument, "code: [unclosed"))
    assert "must hold a mapping" in str(_error(write_instrument, "- just\n- a list\n"))


def test_it_refuses_a_reliability_outside_0_1(demo_data, write_instrument):
    demo_data["reliability"] = {"value": 1.2, "sources": ["S1"]}
    assert "reliability: must lie strictly between 0 and 1" in str(
        _error(write_instrument, demo_data)
    )
