"""Create and change client records; the web pages, API and CLI all come through here."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from openipt import policy
from openipt.clients.models import Client, new_record_number

EDITABLE_FIELDS = ("name", "record_number", "date_of_birth", "email", "show_progress_to_client")


def _check_therapist(actor) -> None:
    if not policy.is_therapist(actor):
        raise PermissionDenied("Only a therapist can hold a client record.")


def _check_dates(client: Client) -> None:
    if client.date_of_birth and client.date_of_birth > date.today():
        raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})


@transaction.atomic
def create_client(actor, **fields) -> Client:
    """Create a client in the actor's caseload after validating every field."""
    _check_therapist(actor)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    fields["name"] = (fields.get("name") or "").strip()
    client = Client(primary_therapist=actor, **fields)
    if not client.record_number:
        client.record_number = new_record_number()
    client.full_clean()
    _check_dates(client)
    client.save()
    return client


@transaction.atomic
def update_client(actor, client: Client, **fields) -> Client:
    """Change the given fields of a client the actor holds, all or nothing."""
    policy.check_write_client(actor, client)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    locked = Client.objects.select_for_update().get(pk=client.pk)
    for name, value in fields.items():
        if name == "name" and isinstance(value, str):
            value = value.strip()
        setattr(locked, name, value)
    locked.full_clean()
    _check_dates(locked)
    locked.save()
    return locked
