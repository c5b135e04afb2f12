"""One error type that services raise and every front end turns into a clear message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    """Return the error as {field: [messages]}, with "__all__" for non-field errors."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for m in ValidationError(errs).messages]
            for field, errs in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}


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

    def raise_any(self) -> None:
        if self._found:
            raise ValidationError(self._found)
