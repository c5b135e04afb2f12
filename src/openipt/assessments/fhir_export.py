"""A course's questionnaires as a FHIR R4B Bundle: Questionnaires, responses and totals.

The resources come from `openipt.measures.fhir`; this module only gathers them. fhir.resources
checks the structure but accepts any code, so every bundle is also run through `check_codes`
before it leaves, and a wrong code is a bug that fails loudly rather than a quiet export.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle, BundleEntry

from openipt.assessments import conf
from openipt.assessments.models import Administration
from openipt.courses.models import Course
from openipt.measures import get_instrument, score
from openipt.measures.fhir import (
    check_codes,
    questionnaire,
    questionnaire_response,
    total_observation,
)


class ExportError(RuntimeError):
    """The bundle failed our own code checks: a bug in the mapping, never the user's fault."""


def course_bundle(course: Course, base: str | None = None) -> dict[str, Any]:
    """Return the course's questionnaires as a Bundle of type "collection", as JSON data."""
    base = base or conf.fhir_base()
    admins = list(
        Administration.objects.filter(course=course)
        .prefetch_related("item_answers")
        .order_by("completed_at", "id")
    )
    subject = f"Patient/{course.client_id}"
    entries = []
    for code, version in sorted({(a.instrument, a.version) for a in admins}):
        resource = questionnaire(get_instrument(code, version), base)
        entries.append(
            BundleEntry(fullUrl=f"{base}/Questionnaire/{resource.id}", resource=resource)
        )
    for admin in admins:
        entries.extend(_entries(admin, subject, base))
    bundle = Bundle(
        id=f"course-{course.pk}",
        type="collection",
        timestamp=timezone.now(),
        entry=entries or None,
    )
    data: dict[str, Any] = json.loads(bundle.model_dump_json(exclude_none=True))
    problems = check_codes(data, base=base)
    if problems:
        raise ExportError("; ".join(problems))
    return data


def _entries(admin: Administration, subject: str, base: str) -> list[BundleEntry]:
    """Return the response and the total Observation derived from it."""
    instrument = get_instrument(admin.instrument, admin.version)
    answers = {answer.item: answer.value for answer in admin.item_answers.all()}
    response_id, observation_id = f"qr-{admin.pk}", f"obs-{admin.pk}"
    response = questionnaire_response(
        instrument, answers, admin.completed_at, subject, response_id, base
    )
    total = total_observation(
        instrument,
        score(instrument, answers),
        admin.completed_at,
        subject,
        f"QuestionnaireResponse/{response_id}",
        observation_id,
        base,
    )
    return [
        BundleEntry(fullUrl=f"{base}/QuestionnaireResponse/{response_id}", resource=response),
        BundleEntry(fullUrl=f"{base}/Observation/{observation_id}", resource=total),
    ]
