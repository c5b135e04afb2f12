"""The measures settings: read from the environment, checked loudly at start-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from openipt.assessments import conf
from openipt.assessments.env import env_float, env_number_map, env_risk_items
from openipt.measures import get_instrument


def test_it_reads_risk_items_and_number_maps(monkeypatch):
    monkeypatch.setenv("RISK", "gad7:7:3, who5:1:0")
    monkeypatch.setenv("SD", "phq9=5.2,gad7=4")
    assert env_risk_items("RISK") == (("gad7", "7", 3), ("who5", "1", 0))
    assert env_number_map("SD") == {"phq9": 5.2, "gad7": 4.0}
    assert env_risk_items("UNSET_RISK") == ()


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (env_risk_items, "gad7-7-3"),
        (env_risk_items, "gad7:7"),
        (env_number_map, "phq9:5"),
        (env_number_map, "phq9=-1"),
    ],
)
def test_it_refuses_unclear_values(monkeypatch, reader, value):
    monkeypatch.setenv("X", value)
    with pytest.raises(ImproperlyConfigured, match="X"):
        reader("X")


def test_it_bounds_the_review_fraction(monkeypatch):
    monkeypatch.setenv("F", "1.5")
    with pytest.raises(ImproperlyConfigured):
        env_float("F", 0.5, low=0.0, high=1.0)
    monkeypatch.setenv("F", "0.75")
    assert env_float("F", 0.5, low=0.0, high=1.0) == 0.75


@override_settings(OPENIPT_RISK_ITEMS=(("gad7", "42", 1),))
def test_it_refuses_a_risk_item_that_does_not_exist():
    with pytest.raises(ImproperlyConfigured, match="gad7:42:1"):
        conf.check_configuration()


@override_settings(OPENIPT_MEASURE_INSTRUMENTS=["phq9", "epds"])
def test_it_refuses_an_unknown_scheduled_instrument():
    with pytest.raises(ImproperlyConfigured, match="epds"):
        conf.check_configuration()


@override_settings(OPENIPT_RCI_SD={"phq9": 5.0}, OPENIPT_RELIABLE_IMPROVEMENT_RULE="any_improves")
def test_it_hands_the_service_rules_to_the_outcome_settings():
    rules = conf.outcome_settings()
    assert rules.rci_parameters(get_instrument("phq9")) == (5.0, 0.89)
    assert rules.reliable_improvement_rule == "any_improves"


def test_it_keeps_the_built_in_risk_item_and_adds_the_services(settings):
    settings.OPENIPT_RISK_ITEMS = (("phq9", "9", 1), ("phq9", "2", 3))
    rules = conf.risk_rules(get_instrument("phq9"))
    assert [(r.item, r.min_value) for r in rules] == [("9", 1), ("2", 3)]
