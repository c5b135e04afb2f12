"""Schemas shared by every router: the error body and the standard error responses."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] | list[dict[str, Any]] | None = None


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}


def responses(ok: Any, status: int = 200) -> dict[int, Any]:
    """Return the response map of an operation: its success schema and every error."""
    return {status: ok, **ERRORS}
