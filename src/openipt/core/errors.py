"""One error type that services raise and every front end turns into a clear message."""

from __future__ import annotations

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
