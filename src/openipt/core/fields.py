"""Model fields whose values are encrypted at rest with the field keys (openipt.core.crypto).

The database holds only Fernet tokens; the model instance holds plain text. An empty string
stays empty, so a blank field costs nothing and reveals only that it is blank. Because the
stored bytes differ every time, these fields cannot be searched, filtered or ordered in the
database: only `isnull` is allowed, anything else raises FieldError. A `max_length` limits
the plain text (a validator and the form field check it), never the column, which is always
text because a token is about twice as long as what it hides.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator
from django.db import migrations, models

from openipt.core import crypto

NO_LOOKUPS = (
    "{label} is encrypted at rest and cannot be searched, filtered or ordered in the "
    "database; filter on another field and read this one in Python."
)


class EncryptedTextField(models.TextField):
    """Free text stored as a Fernet token; decrypted when read, encrypted when saved."""

    description = "Text encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def _where(self) -> str:
        model = getattr(self, "model", None)
        label = model._meta.label if model is not None else "?"
        return f"{label}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, where=self._where())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(NO_LOOKUPS.format(label=self._where()))

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(NO_LOOKUPS.format(label=self._where()))


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (such as a snapshot of free-text answers) stored encrypted."""

    description = "JSON encrypted at rest"
    # For django-stubs: the attribute holds any JSON value, as on JSONField, not a str.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        return None if text is None or text == "" else json.loads(text)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)


def _rows(schema_editor: Any, model: Any, column: str) -> list[tuple[Any, str]]:
    quote = schema_editor.connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {quote(column)} FROM {table} "  # noqa: S608 - quoted identifiers
            f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''"
        )
        return list(cursor.fetchall())


def _rewrite(schema_editor: Any, model: Any, column: str, rows: list[tuple[Any, str]]) -> None:
    quote = schema_editor.connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {quote(column)} = %s WHERE {pk} = %s"  # noqa: S608
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(sql, [(value, key) for key, value in rows])


def encrypt_existing_values(
    app_label: str, model_name: str, field_names: tuple[str, ...]
) -> migrations.RunPython:
    """Return a migration step that encrypts rows written before a field was encrypted.

    Put it after the AlterField that switches the field to EncryptedTextField; reversing it
    decrypts again, so the migration can be unapplied.
    """

    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        for name in field_names:
            column = model._meta.get_field(name).column
            rows = _rows(schema_editor, model, column)
            plain = [(k, v) for k, v in rows if not v.startswith(crypto.TOKEN_PREFIX)]
            _rewrite(schema_editor, model, column, [(k, crypto.encrypt(v)) for k, v in plain])

    def backward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        for name in field_names:
            column = model._meta.get_field(name).column
            rows = _rows(schema_editor, model, column)
            _rewrite(schema_editor, model, column, [(k, crypto.decrypt(v)) for k, v in rows])

    return migrations.RunPython(forward, backward, elidable=False)
