"""Create and change client records; the web pages, API and CLI all come through here."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openipt import policy
from openipt.clients.models import Client, new_record_number
from openipt.core.errors import Problems

EDITABLE_FIELDS = ("name", "record_number", "date_of_birth", "email", "show_progress_to_client")


def _check_therapist(actor) -> None:
    if not policy.is_therapist(actor):
        raise PermissionDenied("Only a therapist can hold a client record.")


def _check_dates(client: Client) -> None:
    """Refuse a date of birth in the future or further back than OPENIPT_MAX_AGE_YEARS."""
    born, today = client.date_of_birth, timezone.localdate()
    if born is None:
        return
    if born > today:
        raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})
    oldest = settings.OPENIPT_MAX_AGE_YEARS
    if today.year - born.year > oldest:
        raise ValidationError(
            {"date_of_birth": f"That makes the client older than {oldest}: check the year."}
        )


def _validated(client: Client) -> None:
    """Check every field and the dates, and refuse with all of their problems at once."""
    problems = Problems()
    with problems.check():
        client.full_clean()
    with problems.check():
        _check_dates(client)
    problems.raise_any()


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
    _validated(client)
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
    _validated(locked)
    locked.save()
    return locked
