"""The FHIR export of a course parses with fhir.resources and carries the LOINC codes."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle

from openipt.assessments.fhir_export import course_bundle
from openipt.measures.fhir import check_codes
from tests.factories import run_course

pytestmark = pytest.mark.django_db
LOINC = "http://loinc.org"


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_it_exports_a_full_course_that_parses_and_passes_our_code_checks(cast, course):
    run_course(course=course, phq9_totals=[18, 14, 11, 8], gad7_totals=[13, 11, 8, 6], item9={1: 1})
    bundle = course_bundle(course)
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    assert check_codes(bundle) == []
    assert len(_resources(bundle, "Questionnaire")) == 2
    assert len(_resources(bundle, "QuestionnaireResponse")) == 8
    assert len(_resources(bundle, "Observation")) == 8


def test_it_uses_the_loinc_codes_of_panels_items_and_totals(cast, course):
    run_course(course=course, phq9_totals=[12], gad7_totals=[9])
    bundle = course_bundle(course)
    questionnaires = {q["id"]: q for q in _resources(bundle, "Questionnaire")}
    phq9 = questionnaires["phq9-1.0"]
    assert phq9["code"] == [{"system": LOINC, "code": "44249-1"}]
    item9 = next(i for i in phq9["item"] if i["linkId"] == "9")
    assert item9["code"][0]["code"] == "44260-8"
    assert questionnaires["gad7-1.0"]["code"][0]["code"] == "69737-5"
    totals = {
        o["code"]["coding"][0]["code"]: o["valueInteger"] for o in _resources(bundle, "Observation")
    }
    assert totals == {"44261-6": 12, "70274-6": 9}
    response = _resources(bundle, "QuestionnaireResponse")[0]
    first = response["item"][0]["answer"][0]["valueCoding"]
    assert first["system"] == LOINC and first["code"].startswith("LA")


def test_it_links_each_total_to_its_response(cast, course):
    run_course(course=course, phq9_totals=[12])
    bundle = course_bundle(course)
    (response,) = _resources(bundle, "QuestionnaireResponse")
    (total,) = _resources(bundle, "Observation")
    assert total["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{response['id']}"}]
    assert response["subject"] == {"reference": f"Patient/{course.client_id}"}
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert any(url.endswith(f"/QuestionnaireResponse/{response['id']}") for url in full_urls)


def test_it_exports_an_empty_course_as_an_empty_collection(cast, course):
    bundle = course_bundle(course)
    assert Bundle.model_validate(bundle).entry is None
    assert check_codes(bundle) == []


def test_it_exports_a_demo_course(cast):
    from openipt.assessments.demo import extend_demo
    from tests.assessments.test_demo import demo_courses

    courses = demo_courses(cast)
    extend_demo(None)
    for course in courses:
        bundle = course_bundle(course)
        Bundle.model_validate(bundle)
        assert check_codes(bundle) == []
