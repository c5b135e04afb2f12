"""Export everything held about a client: JSON, FHIR and PDF; notes only with a disclosure."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from typer.testing import CliRunner

from openipt.cli import app
from openipt.privacy import services
from openipt.privacy.exports import export_data, export_file
from openipt.privacy.records import client_holdings
from tests.factories import today

pytestmark = pytest.mark.django_db
runner = CliRunner()
ANSWERS = {str(i): 1 for i in range(1, 10)} | {"10": 1}


@pytest.fixture
def record(cast, course, session_row, note):
    """A client record spread over several apps, as a real one would be."""
    from openipt.assessments.services import record_administration
    from openipt.interpersonal.services import add_person
    from openipt.measures.registry import get_instrument

    add_person(cast.therapist, course, label="Mum", ring=1, feelings="guilty when visiting")
    record_administration(cast.therapist, course, get_instrument("phq9"), ANSWERS)
    services.record_consent(cast.therapist, cast.client, topic="treatment", given_on=today())
    return course


def test_it_finds_every_model_linked_to_a_client():
    labels = {h.label for h in client_holdings()}
    # Closure: any model with a foreign key to a holding is itself a holding.
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            target = getattr(field, "related_model", None)
            if field.many_to_one and target is not None and target._meta.label in labels:
                assert model._meta.label in labels, model
    assert {"courses.Session", "assessments.ItemAnswer", "interpersonal.Person"} <= labels


def test_it_exports_every_holding_decrypted_without_psychotherapy_notes(cast, record):
    data = export_data(cast.client)
    for holding in client_holdings():
        assert holding.label in data["records"]
    records = data["records"]
    assert records["courses.Session"][0]["notes"] == "Session progress note"
    assert records["interpersonal.Person"][0]["feelings"] == "guilty when visiting"
    assert len(records["assessments.ItemAnswer"]) == 10
    assert records["privacy.Consent"][0]["topic"] == "treatment"
    assert records["privacy.PsychotherapyNote"] == []
    assert "left out" in data["psychotherapy_notes"]
    assert data["portal_account"]["username"] == "cli"
    assert "password" not in data["portal_account"]
    assert "sister" not in json.dumps(data, default=str)


def test_it_leaves_out_another_clients_rows(cast, record, other_course):
    services.add_note(cast.outsider, other_course, "outsider note")
    data = export_data(cast.client)
    assert [c["id"] for c in data["records"]["clients.Client"]] == [cast.client.pk]
    assert all(c["client_id"] == cast.client.pk for c in data["records"]["courses.Course"])


def test_it_refuses_notes_without_a_disclosure(cast, record):
    with pytest.raises(ValidationError, match="only when a disclosure"):
        export_data(cast.client, include_notes=True)


def test_it_includes_only_disclosed_notes(cast, course, record, note):
    services.add_note(cast.therapist, course, "never disclosed")
    services.record_disclosure(
        cast.therapist,
        cast.client,
        notes=[note],
        recipient="Solicitor",
        purpose="court",
        authorised_by="the client",
        authorised_on=today(),
    )
    data = export_data(cast.client, include_notes=True)
    texts = [n["text"] for n in data["records"]["privacy.PsychotherapyNote"]]
    assert texts == [note.text]


def test_it_builds_a_fhir_bundle_with_the_questionnaires(cast, record):
    from fhir.resources.R4B.bundle import Bundle

    from openipt.measures.fhir_codes import check_codes

    made = export_file(cast.client, "fhir")
    bundle = json.loads(made.content)
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Patient", "Questionnaire", "QuestionnaireResponse", "Observation"]
    patient = bundle["entry"][0]["resource"]
    assert patient["name"][0]["text"] == "Carla Client"
    assert bundle["entry"][2]["resource"]["subject"]["reference"] == f"Patient/{patient['id']}"
    assert check_codes({**bundle, "entry": bundle["entry"][1:]}) == []
    assert "sister" not in made.content.decode()


def test_it_builds_a_readable_pdf(cast, record):
    from pypdf import PdfReader

    made = export_file(cast.client, "pdf")
    assert made.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(made.content)).pages)
    assert "Carla Client" in text
    assert "guilty when visiting" in text
    assert "sister" not in text


def test_it_downloads_an_export_after_reauthentication(cast, record, reauthed):
    c = reauthed(cast.therapist)
    url = reverse("privacy:export", args=[cast.client.pk])
    page = c.get(url)
    assert page.status_code == 200
    assert b"No disclosure is recorded" in page.content
    response = c.post(url, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="R-1-')
    assert json.loads(response.content)["client_id"] == cast.client.pk


def test_it_records_the_download_in_the_audit_trail(cast, record, reauthed):
    from openipt.audit.models import AccessEvent
    from openipt.audit.services import chain_pending

    reauthed(cast.therapist).post(
        reverse("privacy:export", args=[cast.client.pk]), {"format": "pdf"}
    )
    chain_pending()
    event = AccessEvent.objects.filter(client_id=cast.client.pk).order_by("-seq").first()
    assert event is not None and event.action == "pdf"


def test_it_asks_for_the_password_again_before_an_export(cast, login):
    response = login(cast.therapist).get(reverse("privacy:export", args=[cast.client.pk]))
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]


def test_it_refuses_the_export_to_the_supervisor_and_the_client(cast, reauthed):
    url = reverse("privacy:export", args=[cast.client.pk])
    assert reauthed(cast.supervisor).post(url, {"format": "json"}).status_code == 403
    assert reauthed(cast.client_user).post(url, {"format": "json"}).status_code == 403


def test_it_hides_the_export_from_an_outsider_even_after_reauthentication(cast, reauthed):
    url = reverse("privacy:export", args=[cast.client.pk])
    assert reauthed(cast.outsider).post(url, {"format": "json"}).status_code == 404


def test_it_shows_an_error_for_notes_without_disclosure(cast, record, reauthed):
    response = reauthed(cast.therapist).post(
        reverse("privacy:export", args=[cast.client.pk]),
        {"format": "json", "include_psychotherapy_notes": "on"},
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content


def test_it_exports_from_the_command_line(cast, record, tmp_path):
    from openipt.audit.models import AccessEvent

    out = tmp_path / "export.json"
    result = runner.invoke(
        app, ["export", "--client", str(cast.client.pk), "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["records"]["courses.Course"][0]["id"] == record.pk
    assert oct(out.stat().st_mode)[-3:] == "600"
    event = AccessEvent.objects.order_by("-seq").first()
    assert (event.action, event.client_id, event.role) == ("export", cast.client.pk, "cli")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "999999", "--format", "json"], "No client with id"),
        (["--format", "xml"], "Choose one of json, fhir, pdf"),
        (["--format", "json", "--include-psychotherapy-notes"], "only when a disclosure"),
    ],
)
def test_it_refuses_bad_cli_exports(cast, tmp_path, args, message):
    if "--client" not in args:
        args = ["--client", str(cast.client.pk), *args]
    result = runner.invoke(app, ["export", *args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "x").exists()


def test_it_merges_the_courses_of_a_client_into_one_bundle(cast, record):
    from openipt.assessments.services import record_administration
    from openipt.courses import services as course_services
    from openipt.measures.registry import get_instrument

    record.status = "ended"
    record.save()
    second = course_services.open_course(
        cast.therapist, cast.client, "maintenance", started_on=today()
    )
    record_administration(cast.therapist, second, get_instrument("phq9"), ANSWERS)
    bundle = json.loads(export_file(cast.client, "fhir").content)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Questionnaire") == 1
    assert kinds.count("QuestionnaireResponse") == 2
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])
