"""Export everything held about a client: JSON (all of it), a FHIR Bundle, or a PDF.

Psychotherapy notes are left out unless the caller asks for them and a recorded disclosure
covers them; then only the disclosed notes are included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone

from openipt.clients.models import Client
from openipt.privacy import audit
from openipt.privacy.records import NOTE_MODEL, collect, disclosed_note_ids, portal_user

FORMATS = {
    "json": ("application/json", "json"),
    "fhir": ("application/fhir+json", "fhir.json"),
    "pdf": ("application/pdf", "pdf"),
}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def export_data(client: Client, *, include_notes: bool = False) -> dict[str, Any]:
    """Return everything held about the client as plain data (decrypted)."""
    if include_notes and not disclosed_note_ids(client.pk):
        raise ValidationError(
            "Psychotherapy notes can be included only when a disclosure authorised by the "
            "client is recorded; none is recorded for this client."
        )
    notes_policy = (
        "included: only the notes covered by a recorded disclosure"
        if include_notes
        else "left out: psychotherapy notes are not part of the record without a disclosure"
    )
    return {
        "format": "openipt-client-export",
        "version": 1,
        "exported_at": timezone.now(),
        "service": settings.OPENIPT_SERVICE_NAME,
        "client_id": client.pk,
        "portal_account": portal_user(client),
        "psychotherapy_notes": notes_policy,
        "records": collect(client, include_notes=include_notes),
        "audit_events": audit.events_about(
            client.pk, list(client.courses.values_list("pk", flat=True))
        ),
    }


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def _pdf(client: Client, data: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    sections = [
        {"label": label, "rows": rows}
        for label, rows in data["records"].items()
        if rows and label != NOTE_MODEL
    ]
    html = render_to_string(
        "privacy/export_pdf.html",
        {
            "client": client,
            "data": data,
            "sections": sections,
            "notes": data["records"].get(NOTE_MODEL, []),
        },
    )
    return HTML(string=html).write_pdf()


def export_file(client: Client, fmt: str, *, include_notes: bool = False) -> ExportFile:
    """Build the export in one format.

    The caller records the export: pages through the audit middleware (a download is an
    "export" event), the command line with `audit.record`.
    """
    if fmt not in FORMATS:
        raise ValidationError({"format": f"Choose one of {', '.join(FORMATS)}, not {fmt!r}."})
    content_type, suffix = FORMATS[fmt]
    if fmt == "fhir":
        from openipt.privacy.fhir import client_bundle

        if include_notes:
            raise ValidationError(
                "The FHIR export carries no psychotherapy notes; use JSON or PDF."
            )
        content = as_json(client_bundle(client))
    else:
        data = export_data(client, include_notes=include_notes)
        content = as_json(data) if fmt == "json" else _pdf(client, data)
    stamp = timezone.localdate().isoformat()
    return ExportFile(content, content_type, f"{client.record_number}-{stamp}.{suffix}")
