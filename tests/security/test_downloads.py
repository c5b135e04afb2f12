"""Download names: one Content-Disposition helper, safe whatever the stored text holds."""

from __future__ import annotations

import string
import time
import unicodedata
from email.message import Message

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from openipt.core.downloads import MAX_LENGTH, UNSAFE, content_disposition, safe_filename
from tests.factories import make_client

PLAIN = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1).filter(
    lambda name: not name.startswith(".") and not name.endswith(".") and len(name) <= MAX_LENGTH
)


def parameters(header: str) -> list[tuple[str, object]]:
    message = Message()
    message["Content-Disposition"] = header
    return message.get_params(header="content-disposition")


def filename_of(header: str) -> str | None:
    message = Message()
    message["Content-Disposition"] = header
    return message.get_filename()


@given(st.text())
def test_it_always_gives_one_parseable_ascii_header(name):
    header = content_disposition(name)
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert header.startswith("attachment; filename")
    params = parameters(header)
    assert [key for key, _ in params] == ["attachment", "filename"]
    assert filename_of(header) == safe_filename(name)


@given(st.text())
def test_it_never_keeps_controls_separators_or_quotes(name):
    safe = safe_filename(name)
    assert safe and len(safe) <= MAX_LENGTH
    assert not UNSAFE.intersection(safe)
    assert not safe.startswith((".", " ")) and not safe.endswith((".", " "))
    assert all(unicodedata.category(char)[0] not in "CZ" or char == " " for char in safe)


@given(PLAIN)
def test_it_keeps_plain_ascii_names_as_they_are(name):
    assert safe_filename(name) == name
    assert content_disposition(name) == f'attachment; filename="{name}"'
    assert content_disposition(name, inline=True) == f'inline; filename="{name}"'


def test_it_encodes_non_ascii_names_per_rfc_6266():
    header = content_disposition("Zoë Ω.pdf")
    assert header == "attachment; filename*=utf-8''Zo%C3%AB%20%CE%A9.pdf"
    assert filename_of(header) == "Zoë Ω.pdf"


def test_it_keeps_the_extension_of_an_overlong_name():
    safe = safe_filename("R" * 400 + ".json")
    assert len(safe) == MAX_LENGTH and safe.endswith(".json")


@pytest.fixture
def reauthed(client):
    """Return the test client signed in as if the password had just been typed again."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "reauthenticated": True}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
        return client

    return _login


@pytest.mark.parametrize(
    "record_number, expected_start",
    [
        ("x\"; filename*=UTF-8''evil.html", "x__ filename__UTF-8''evil.html-"),
        ("R\u20281", "R1-"),
        ("R\u2029\u202e1", "R1-"),
    ],
)
def test_it_names_a_client_export_safely_whatever_the_record_number(
    cast, reauthed, record_number, expected_start
):
    client = make_client(therapist=cast.therapist, record_number=record_number)
    response = reauthed(cast.therapist).post(
        reverse("privacy:export", args=[client.pk]), {"format": "json"}
    )
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert [key for key, _ in parameters(header)] == ["attachment", "filename"]
    name = filename_of(header)
    assert name is not None and name.startswith(expected_start) and name.endswith(".json")
