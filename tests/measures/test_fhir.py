"""FHIR R4B mapping: resources parse, use the right LOINC codes, and check_codes catches errors."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from openipt.measures import AnswerError, all_instruments, get_instrument, score
from openipt.measures.fhir import (
    check_codes,
    questionnaire,
    questionnaire_response,
    total_observation,
)

WHEN = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
PHQ9_ANSWERS = {"1": 2, "2": 1, "3": 3, "4": 2, "5": 0, "6": 1, "7": 1, "8": 0, "9": 1, "10": 2}


def _json(resource) -> dict:
    return json.loads(resource.model_dump_json(exclude_none=True))


def _phq9_resources():
    phq9 = get_instrument("phq9")
    qr = questionnaire_response(phq9, PHQ9_ANSWERS, WHEN, "Patient/p1", "qr1")
    obs = total_observation(
        phq9, score(phq9, PHQ9_ANSWERS), WHEN, "Patient/p1", "QuestionnaireResponse/qr1", "o1"
    )
    return _json(questionnaire(phq9)), _json(qr), _json(obs)


def test_it_builds_a_questionnaire_for_every_instrument_that_parses_and_checks_clean():
    for inst in all_instruments():
        data = _json(questionnaire(inst))
        assert Questionnaire.model_validate(data).status == "active"
        assert check_codes(data) == [], inst.code


def test_it_codes_the_phq9_questionnaire_with_loinc():
    data, _, _ = _phq9_resources()
    assert data["url"] == "https://openipt.org/fhir/Questionnaire/phq9"
    assert data["version"] == "1.0"
    assert data["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]
    items = data["item"]
    assert [i["linkId"] for i in items] == [str(n) for n in range(1, 11)]
    assert [i["code"][0]["code"] for i in items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
        "44258-2", "44252-5", "44253-3", "44260-8", "69722-7",
    ]  # fmt: skip
    first = [o["valueCoding"] for o in items[0]["answerOption"]]
    assert [(c["code"], c["display"]) for c in first] == [
        ("LA6568-5", "Not at all"),
        ("LA6569-3", "Several days"),
        ("LA6570-1", "More than half the days"),
        ("LA6571-9", "Nearly every day"),
    ]
    assert [c["extension"] for c in first] == [
        [{"url": ORDINAL, "valueDecimal": value}] for value in (0, 1, 2, 3)
    ]
    assert items[9]["required"] is False and items[0]["required"] is True


def test_it_uses_local_codes_for_who5_answers():
    data = _json(questionnaire(get_instrument("who5")))
    assert "code" not in data
    coding = data["item"][0]["answerOption"][0]["valueCoding"]
    assert coding["system"] == "https://openipt.org/fhir/CodeSystem/who5-answers"
    assert (coding["code"], coding["display"]) == ("5", "All of the time")


def test_it_builds_a_questionnaire_response_with_coded_answers():
    _, qr, _ = _phq9_resources()
    parsed = QuestionnaireResponse.model_validate(qr)
    assert parsed.status == "completed"
    assert qr["questionnaire"] == "https://openipt.org/fhir/Questionnaire/phq9|1.0"
    assert qr["subject"] == {"reference": "Patient/p1"}
    assert [i["linkId"] for i in qr["item"]] == [str(n) for n in range(1, 11)]
    answer = qr["item"][2]["answer"][0]["valueCoding"]
    assert (answer["system"], answer["code"]) == ("http://loinc.org", "LA6571-9")
    assert qr["item"][9]["answer"][0]["valueCoding"]["code"] == "LA6575-0"  # "Very difficult"
    assert check_codes(qr) == []


def test_it_refuses_to_build_a_response_from_bad_answers_or_a_naive_time():
    phq9 = get_instrument("phq9")
    with pytest.raises(AnswerError, match="Item 1"):
        questionnaire_response(phq9, {**PHQ9_ANSWERS, "1": True}, WHEN, "Patient/p1", "q")
    with pytest.raises(ValueError, match="timezone-aware"):
        questionnaire_response(phq9, PHQ9_ANSWERS, datetime(2026, 1, 1), "Patient/p1", "q")


def test_it_builds_the_total_observation_derived_from_the_response():
    _, _, obs = _phq9_resources()
    parsed = Observation.model_validate(obs)
    assert parsed.valueInteger == 11
    assert obs["code"]["coding"] == [{"system": "http://loinc.org", "code": "44261-6"}]
    assert obs["derivedFrom"] == [{"reference": "QuestionnaireResponse/qr1"}]
    assert obs["interpretation"][0]["coding"][0]["code"] == "moderate"
    assert obs["status"] == "final"
    assert check_codes(obs) == []


@pytest.mark.parametrize(
    ("code", "answers", "system", "total_code"),
    [
        ("gad7", dict.fromkeys("1234567", 1), "http://loinc.org", "70274-6"),
        (
            "who5",
            dict.fromkeys("12345", 3),
            "https://openipt.org/fhir/CodeSystem/scores",
            "who5-total",
        ),
        (
            "phq2",
            dict.fromkeys("12", 1),
            "https://openipt.org/fhir/CodeSystem/scores",
            "phq2-total",
        ),
    ],
)
def test_it_codes_each_total(code, answers, system, total_code):
    inst = get_instrument(code)
    obs = _json(total_observation(inst, score(inst, answers), WHEN, "Patient/p", "QR/q", "o"))
    coding = obs["code"]["coding"]
    assert [(c["system"], c["code"]) for c in coding] == [(system, total_code)]
    assert check_codes(obs) == []


def test_it_refuses_a_score_from_another_instrument():
    gad_score = score(get_instrument("gad7"), dict.fromkeys("1234567", 0))
    with pytest.raises(ValueError, match="score is for gad7"):
        total_observation(get_instrument("phq9"), gad_score, WHEN, "Patient/p", "QR/q", "o")


def test_it_catches_the_known_wrong_item_code():
    data, _, _ = _phq9_resources()
    # measures.md §15.6: public code has put the total's code (44261-6) on the appetite item.
    data["item"][4]["code"][0]["code"] = "44261-6"
    assert check_codes(data) == [
        "Questionnaire.item[4].code: LOINC 44261-6 is not the code of item 5 (44251-7)"
    ]


def test_it_catches_wrong_answer_codes_and_ordinals():
    data, qr, _ = _phq9_resources()
    data["item"][0]["answerOption"][1]["valueCoding"]["extension"][0]["valueDecimal"] = 2
    assert "ordinalValue [2] does not match 1" in check_codes(data)[0]
    qr["item"][0]["answer"][0]["valueCoding"]["code"] = "LA6572-7"  # an item-10 answer
    assert check_codes(qr) == [
        "QuestionnaireResponse.item[0].answer[0].valueCoding: http://loinc.org LA6572-7 is not "
        "an answer of PHQ-9 (Patient Health Questionnaire-9) item 1"
    ]


def test_it_catches_bad_statuses_link_ids_and_questionnaires():
    data, qr, obs = _phq9_resources()
    obs["status"] = "done"
    assert check_codes(obs) == ["Observation.status: 'done' is not an allowed Observation status"]
    qr["item"][0]["linkId"] = "44250-9"
    assert "linkId: '44250-9' is not an item" in check_codes(qr)[0]
    qr["questionnaire"] = "http://loinc.org/q/44249-1"
    assert "is not a known instrument" in check_codes(qr)[0]
    data["code"][0]["code"] = "69737-5"
    assert "not the PHQ-9 (Patient Health Questionnaire-9) panel code" in check_codes(data)[0]


def test_it_catches_a_wrong_total_code_value_or_band():
    _, _, obs = _phq9_resources()
    wrong = copy.deepcopy(obs)
    wrong["code"]["coding"][0]["code"] = "44262-4"  # deprecated interpretation code [S99]
    assert "is not the total score code" in check_codes(wrong)[0]
    wrong = copy.deepcopy(obs)
    wrong["valueInteger"] = 30
    problems = check_codes(wrong)
    assert "30 is outside the PHQ-9 (Patient Health Questionnaire-9) total range" in problems[0]
    wrong = copy.deepcopy(obs)
    wrong["interpretation"][0]["coding"][0]["code"] = "mild"
    assert check_codes(wrong) == [
        "Observation.interpretation: band 'mild' does not match the total 11"
    ]


def test_it_checks_every_entry_of_a_bundle():
    data, qr, obs = _phq9_resources()
    obs["status"] = "bogus"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": data}, {"resource": qr}, {"resource": obs}],
    }
    Bundle.model_validate(bundle)  # fhir.resources itself accepts the bad status
    assert check_codes(json.dumps(bundle)) == [
        "Bundle.entry[2].resource.status: 'bogus' is not an allowed Observation status"
    ]
    assert check_codes({"resourceType": "Patient"}) == [
        "Patient: resourceType 'Patient' is not one OpenIPT checks"
    ]


def test_it_accepts_a_fhir_model_as_input():
    phq9 = get_instrument("phq9")
    assert check_codes(questionnaire(phq9)) == []
