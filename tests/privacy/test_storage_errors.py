"""A full disk or a lost database connection becomes a clear 503, never a bare 500."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError
from django.test import RequestFactory

from openipt.core.middleware_storage import StorageErrorMiddleware, classify


class _Cause(Exception):
    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _wrapped(message: str, cause: BaseException | None = None) -> OperationalError:
    error = OperationalError(message)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (_wrapped("database or disk is full", sqlite3.OperationalError("full")), "storage_full"),
        (_wrapped("could not write", _Cause("could not extend file", "53100")), "storage_full"),
        (
            _wrapped("x", _Cause("terminating connection due to administrator command", "57P01")),
            "database_unavailable",
        ),
        (_wrapped("server closed the connection unexpectedly"), "database_unavailable"),
        (_wrapped("y", _Cause("connection failure", "08006")), "database_unavailable"),
        (_wrapped("database is locked"), None),
        (IntegrityError("UNIQUE constraint failed"), None),
        (ValueError("database or disk is full"), None),
        (OSError(errno.ENOSPC, "No space left on device"), "storage_full"),
        (OSError(errno.EACCES, "Permission denied"), None),
    ],
)
def test_it_tells_storage_and_connection_failures_from_other_errors(error, reason):
    assert classify(error) == reason


def _middleware():
    return StorageErrorMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]


def test_it_answers_the_api_with_json():
    request = RequestFactory().post("/api/v1/clients")
    response = _middleware().process_exception(request, _wrapped("database or disk is full"))
    assert response is not None and response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert b"Storage full" in response.content
    assert response["Retry-After"] == "60"


def test_it_answers_a_page_with_html_that_says_nothing_was_saved():
    # No django_db mark: the page must render without touching the failed database.
    request = RequestFactory().post("/clients/new/")
    response = _middleware().process_exception(request, _wrapped("database or disk is full"))
    assert response is not None and response.status_code == 503
    assert b"The service's storage is full" in response.content
    assert b"nothing was half-saved" in response.content


def test_it_leaves_other_errors_to_django():
    request = RequestFactory().get("/")
    assert _middleware().process_exception(request, DatabaseError("syntax error")) is None
    assert _middleware().process_exception(request, KeyError("x")) is None
