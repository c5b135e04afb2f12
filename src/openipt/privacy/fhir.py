"""The client's record as one FHIR R4B Bundle: the Patient and every course's questionnaires.

The questionnaire resources come from the assessments app's `course_bundle` (which runs
them through the code checks); this module adds the Patient and merges the courses.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.patient import Patient

from openipt.clients.models import Client


def _patient(client: Client, base: str) -> dict[str, Any]:
    # The id is the one `course_bundle` uses as its subject ("Patient/<client id>").
    patient = Patient(
        id=str(client.pk),
        identifier=[Identifier(system=f"{base}/record-number", value=client.record_number)],
        name=[HumanName(text=client.name)],
        birthDate=client.date_of_birth,
    )
    return {
        "fullUrl": f"{base}/Patient/{patient.id}",
        "resource": json.loads(patient.model_dump_json(exclude_none=True)),
    }


def client_bundle(client: Client) -> dict[str, Any]:
    """Return a collection Bundle: the Patient, then each course's questionnaire resources."""
    from openipt.assessments import conf
    from openipt.assessments.fhir_export import course_bundle

    base = conf.fhir_base()
    entries = [_patient(client, base)]
    seen = {entries[0]["fullUrl"]}
    for course in client.courses.order_by("started_on", "pk"):
        for entry in course_bundle(course, base).get("entry", []):
            if entry["fullUrl"] not in seen:  # a Questionnaire shared by two courses
                seen.add(entry["fullUrl"])
                entries.append(entry)
    bundle = {
        "resourceType": "Bundle",
        "id": f"client-{client.pk}",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }
    Bundle.model_validate(bundle)
    return bundle
