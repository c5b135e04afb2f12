"""Find every encrypted field, re-encrypt its values under the current key, and verify them.

Fields are found by introspection, so a field switched to EncryptedTextField in any app is
rotated without changes here. Values are read and written as raw tokens with SQL (the ORM
would decrypt them), in batches, each batch one transaction with its rows locked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from openipt.core import crypto
from openipt.core.fields import EncryptedTextField

# Free-text clinical fields that should be encrypted at rest. The owning apps switch them
# to EncryptedTextField (with encrypt_existing_values in the migration); `openipt keys
# status` lists those still stored as plain text.
SENSITIVE_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "courses.Course": ("end_decision_detail",),
    "courses.Contract": ("reason",),
    "courses.Session": ("notes", "mood_event_link", "between_sessions_work"),
    "courses.Focus": ("reason",),
    "courses.Goal": ("text",),
    "courses.TaskCompletion": ("note",),
    "courses.SickRole": ("note",),
    "courses.MedicationEvaluation": (
        "severity",
        "past_history",
        "prior_response",
        "preference",
        "note",
    ),
    "courses.TerminationReview": (
        "why_better",
        "achieved",
        "not_achieved",
        "feelings_about_ending",
        "anticipated_problems",
    ),
    "courses.RelapsePlan": ("warning_signs", "what_helps", "people_to_tell", "whom_to_contact"),
    "interpersonal.Person": (
        "description",
        "shared_activities",
        "satisfying",
        "unsatisfying",
        "feelings",
        "expectations_self",
        "expectations_other",
        "can_talk_about",
        "cannot_talk_about",
        "changes_wished",
    ),
    "interpersonal.InventorySnapshot": ("people",),
    "interpersonal.LifeEvent": ("description",),
    "interpersonal.Formulation": ("text", "client_response"),
    "assessments.Alert": ("note",),
    "portal.ClientTask": ("text",),  # copies of Session.between_sessions_work lines
    "portal.MoodEntry": ("note",),
    "privacy.PsychotherapyNote": ("text",),
    "privacy.Disclosure": ("purpose",),
    "privacy.Consent": ("note",),
    "privacy.Erasure": ("reason",),
}


MFA_LABEL = "two-factor secrets (allauth.mfa)"


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: models.Field

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


@dataclass(frozen=True)
class FieldStatus:
    label: str
    encrypted: bool
    exists: bool


def encrypted_columns() -> list[EncryptedColumn]:
    """Return every concrete EncryptedTextField of every installed, managed model."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append(EncryptedColumn(model, field))
    return sorted(found, key=lambda c: c.label)


def sensitive_field_status() -> list[FieldStatus]:
    """Return, for each field that should be encrypted, whether it exists and is encrypted."""
    statuses: list[FieldStatus] = []
    for label, names in SENSITIVE_TEXT_FIELDS.items():
        app_label, model_name = label.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            statuses.extend(FieldStatus(f"{label}.{n}", False, False) for n in names)
            continue
        for name in names:
            field = next((f for f in model._meta.concrete_fields if f.name == name), None)
            encrypted = isinstance(field, EncryptedTextField)
            statuses.append(FieldStatus(f"{label}.{name}", encrypted, field is not None))
    return statuses


def _quoted(column: EncryptedColumn) -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    meta = column.model._meta
    return quote(meta.db_table), quote(str(meta.pk.column)), quote(str(column.field.column))


def _batches(column: EncryptedColumn, size: int, *, lock: bool) -> Iterator[list[tuple]]:
    """Yield batches of (pk, token), each read inside the open transaction of its caller."""
    table, pk, col = _quoted(column)
    lock_sql = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    select = f"SELECT {pk}, {col} FROM {table} WHERE {col} IS NOT NULL AND {col} <> ''"  # noqa: S608
    first = f"{select} ORDER BY {pk} LIMIT %s{lock_sql}"
    after = f"{select} AND {pk} > %s ORDER BY {pk} LIMIT %s{lock_sql}"
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(first, [size])
            else:
                cursor.execute(after, [last, size])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rotate_column(column: EncryptedColumn, batch_size: int) -> int:
    """Re-encrypt every value of one column under the current key; return how many."""
    table, pk, col = _quoted(column)
    update = f"UPDATE {table} SET {col} = %s WHERE {pk} = %s"  # noqa: S608
    done = 0
    batches = _batches(column, batch_size, lock=True)
    while True:
        with transaction.atomic():
            rows = next(batches, None)
            if rows is None:
                return done
            new = [(crypto.rotate(token), key) for key, token in rows]
            with connection.cursor() as cursor:
                cursor.executemany(update, new)
        done += len(rows)


def rotate_all(
    batch_size: int | None = None, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Re-encrypt every encrypted value of every model, and the MFA secrets; return counts."""
    from openipt.core.mfa import rotate_mfa_secrets

    size = batch_size or settings.OPENIPT_KEY_ROTATION_BATCH
    counts = {}
    for column in encrypted_columns():
        counts[column.label] = rotate_column(column, size)
        if progress:
            progress(column.label, counts[column.label])
    # Two-factor secrets are encrypted with the same keys (openipt.core.mfa): dropping an
    # old key without re-encrypting them would lock every staff member out.
    counts[MFA_LABEL] = rotate_mfa_secrets()
    if progress:
        progress(MFA_LABEL, counts[MFA_LABEL])
    return counts


def _stale_mfa_secrets() -> int:
    from allauth.mfa.models import Authenticator

    from openipt.core.mfa import SECRET_KEYS

    stale = 0
    for data in Authenticator.objects.values_list("data", flat=True).iterator():
        for key in SECRET_KEYS:
            value = (data or {}).get(key)
            if isinstance(value, str) and not (
                value.startswith(crypto.TOKEN_PREFIX) and crypto.opens_with_current_key(value)
            ):
                stale += 1
    return stale


def stale_values(batch_size: int | None = None) -> dict[str, int]:
    """Return, by field, how many values the current key alone cannot open."""
    size = batch_size or settings.OPENIPT_KEY_ROTATION_BATCH
    stale = {}
    for column in encrypted_columns():
        count = 0
        for rows in _batches(column, size, lock=False):
            count += sum(1 for _, token in rows if not crypto.opens_with_current_key(token))
        if count:
            stale[column.label] = count
    mfa = _stale_mfa_secrets()
    if mfa:
        stale[MFA_LABEL] = mfa
    return stale
