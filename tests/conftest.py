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


# A test can reach the database only through one of these (pytest-django blocks it
# otherwise), so a test without them gives the same answer on every database.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (the PostgreSQL leg of `make test`)",
    )


def pytest_collection_modifyitems(config, items):
    """Deselect the tests that cannot touch the database when asked to run only those."""
    if not config.getoption("--database-tests-only"):
        return
    keep, drop = [], []
    for item in items:
        uses = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames)
        (keep if uses else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


@dataclass
class Cast:
    therapist: object
    supervisor: object
    outsider: object
    client_user: object
    admin: object
    client: object  # the therapist's client, linked to client_user
    other_client: object  # the outsider's client


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Hash test passwords with MD5: Argon2 costs about 0.5 s a hash on a test machine.

    Django's testing docs recommend this; tests/security/test_hardening.py proves that
    the real settings still hash with Argon2.
    """
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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
    return build_cast()


def build_cast() -> Cast:
    """Create the shared cast (the `cast` fixture, or a module's shared world)."""
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


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """Keep one transaction open for a whole module and roll it back at the module's end.

    A module whose tests share an expensive world builds it once inside this transaction
    (`with module_db.unblock(): ...`); each test still runs in its own savepoint (the `db`
    fixture), so no test sees another's writes.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # a test's block, as Django's TestCase marks its own
        outer.__enter__()
    try:
        yield django_db_blocker
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


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
