"""Everything held about a client, found by walking the app registry.

Any model with a chain of foreign keys to clients.Client is a holding; a new model added by
any app is exported and purged without a change here. Psychotherapy notes are a holding too,
but exports leave them out unless a recorded disclosure covers them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

# Field names that hold secrets or their digests: never exported.
SECRET_NAMES = ("password", "digest", "secret", "token", "key")
NOTE_MODEL = "privacy.PsychotherapyNote"
PORTAL_USER_FIELDS = ("id", "username", "display_name", "role", "date_joined", "last_login")


@dataclass(frozen=True)
class Holding:
    """A model that holds rows about a client, and the lookup from it to the client."""

    model: type[models.Model]
    path: str  # e.g. "course__client"; "pk" for the client model itself

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def depth(self) -> int:
        return 0 if self.path == "pk" else self.path.count("__") + 1

    def rows(self, client_id: int) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.path: client_id}).order_by("pk")


def _reverse_links(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    links = []
    for rel in model._meta.related_objects:
        related = rel.related_model
        if rel.many_to_many or not isinstance(related, type):
            continue
        if related._meta.auto_created or related._meta.proxy or not related._meta.managed:
            continue
        links.append((related, rel.field.name))
    return links


def client_holdings() -> list[Holding]:
    """Return every model with a foreign-key path to Client, by the shortest path."""
    client_model = apps.get_model("clients", "Client")
    found: dict[str, Holding] = {client_model._meta.label: Holding(client_model, "pk")}
    queue: deque[Holding] = deque([found[client_model._meta.label]])
    while queue:
        holding = queue.popleft()
        for related, field_name in _reverse_links(holding.model):
            label = related._meta.label
            if label in found:
                continue
            path = field_name if holding.path == "pk" else f"{field_name}__{holding.path}"
            found[label] = Holding(related, path)
            queue.append(found[label])
    return sorted(found.values(), key=lambda h: (h.depth, h.label))


def _is_secret(name: str) -> bool:
    return any(word in name.lower() for word in SECRET_NAMES)


def row_as_dict(row: models.Model) -> dict[str, Any]:
    """Return a row's concrete and many-to-many values, decrypted, without secrets."""
    data: dict[str, Any] = {}
    for field in row._meta.concrete_fields:
        if not _is_secret(field.name):
            data[field.attname] = field.value_from_object(row)
    for field in row._meta.many_to_many:
        data[field.name] = sorted(row.serializable_value(field.name).values_list("pk", flat=True))
    return data


def portal_user(client: models.Model) -> dict[str, Any] | None:
    """Return the client's own portal account (no password or tokens), if there is one."""
    user = getattr(client, "user", None)
    if user is None:
        return None
    return {name: getattr(user, name) for name in PORTAL_USER_FIELDS}


def disclosed_note_ids(client_id: int) -> set[int]:
    """Return the psychotherapy notes a recorded disclosure lets an export include."""
    disclosure = apps.get_model("privacy", "Disclosure")
    through = disclosure.notes.through
    rows = through.objects.filter(disclosure__client_id=client_id)
    return set(rows.values_list("psychotherapynote_id", flat=True))


def collect(client: models.Model, *, include_notes: bool) -> dict[str, list[dict[str, Any]]]:
    """Return every row held about the client by model label (notes only if disclosed)."""
    records: dict[str, list[dict[str, Any]]] = {}
    disclosed = disclosed_note_ids(client.pk) if include_notes else set()
    for holding in client_holdings():
        rows = holding.rows(client.pk)
        if holding.label == NOTE_MODEL:
            rows = rows.filter(pk__in=disclosed)
        records[holding.label] = [row_as_dict(row) for row in rows]
    return records
