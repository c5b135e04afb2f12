"""One error type that services raise and every front end turns into a clear message."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    """Return the error as {field: [messages]}, with "__all__" for non-field errors."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for m in ValidationError(errs).messages]
            for field, errs in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}


def apply_errors(
    form: BaseForm, error: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: each message on its field when the form has
    one (``fields`` renames a service's field to the form's), the rest above the form."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errs in error.error_dict.items():
        name = fields.get(field, field)
        form.add_error(name if name in form.fields else None, errs)


def summary_of(error: ValidationError) -> str:
    """Return one readable sentence listing every problem, for APIs and the CLI."""
    parts: list[str] = []
    for field, msgs in messages_of(error).items():
        prefix = "" if field == "__all__" else f"{field}: "
        parts.extend(prefix + m for m in msgs)
    return " ".join(parts)


class Problems:
    """Run several checks and raise their refusals together, so that a form shows every
    problem at once instead of the first (each keeps its field and code)."""

    def __init__(self) -> None:
        self._found: dict[str, list[ValidationError]] = {}

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except ValidationError as error:
            fields = error.error_dict if hasattr(error, "error_dict") else {"__all__": [error]}
            for field, errors in fields.items():
                self._found.setdefault(field, []).extend(errors)

    def __contains__(self, field: str) -> bool:
        return field in self._found

    def raise_any(self) -> None:
        if self._found:
            raise ValidationError(self._found)
