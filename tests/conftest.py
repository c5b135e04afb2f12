"""The shared cast: a therapist, their supervisor, an outsider, a client and an admin.

Every view test uses them: the owner sees, the supervisor reads, the outsider gets 404,
the client and the admin are refused clinical pages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "cast-password-2026"


@dataclass
class Cast:
    therapist: object
    supervisor: object
    outsider: object
    client_user: object
    admin: object
    client: object  # the therapist's client, linked to client_user
    other_client: object  # the outsider's client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache: it holds throttle counts and fitted curves."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_user(username: str, role: str, **extra):
    from openipt.accounts.services import create_user

    return create_user(username, role, PASSWORD, **extra)


@pytest.fixture
def cast(db) -> Cast:
    from openipt.clients.models import Client

    supervisor = make_user("sup", "supervisor", display_name="Supervisor Sue")
    therapist = make_user("ther", "therapist", supervisor="sup", display_name="Therapist Tom")
    outsider = make_user("other", "therapist", display_name="Other Olga")
    client_user = make_user("cli", "client", display_name="Client Carla")
    admin = make_user("adm", "admin")
    client = Client.objects.create(
        name="Carla Client", record_number="R-1", primary_therapist=therapist, user=client_user
    )
    other_client = Client.objects.create(
        name="Oscar Outside", record_number="R-2", primary_therapist=outsider
    )
    return Cast(therapist, supervisor, outsider, client_user, admin, client, other_client)


@pytest.fixture
def login(client):
    """Return a function that signs the Django test client in as a user."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture
def token_for(db):
    """Return a function that issues an API bearer header for a user."""
    from openipt.accounts.models import ApiToken

    def _token(user) -> dict[str, str]:
        _, secret = ApiToken.issue(user)
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return _token
