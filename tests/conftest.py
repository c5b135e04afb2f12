"""The shared cast: a therapist, their supervisor, an outsider, a client and an admin.

Every view test uses them: the owner sees, the supervisor reads, the outsider gets 404,
the client and the admin are refused clinical pages. tests/factories.py makes them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings as hypothesis_settings

from tests.factories import Cast, build_cast, make_course

if TYPE_CHECKING:
    from openipt.courses.models import Course

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The CLI prints through rich, which wraps at the terminal's width (80 under CliRunner): a
# long data folder path in a fresh clone split "does not answer" over two lines. Tests read
# whole messages, so give the console a width no message reaches.
os.environ["COLUMNS"] = "400"

# No deadlines: a property holds or not whatever the machine's load (a timed check is a
# benchmark's job). In CI the examples are derandomized, so a red run can be re-run as it
# was; locally each run explores new ones.
hypothesis_settings.register_profile(
    "openipt", deadline=None, derandomize=os.environ.get("CI") == "true", print_blob=True
)
hypothesis_settings.load_profile("openipt")

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


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Settings that make the suite fast and its checks immediate.

    - Passwords hash with MD5: Argon2 costs about 0.5 s a hash on a test machine. Django's
      testing docs recommend this; tests/security/test_hardening.py proves that the real
      settings still hash with Argon2.
    - Reads stay pending until a test links them (`openipt.audit.services.chain_pending`,
      as every reader of the trail does): linking after a response depends on the clock,
      and a query count must not. tests/security/test_audit.py proves the linking.
    - Courses may start any time back: the suite's fixed dates (2026) must not become "a
      start long ago" as the years pass; tests/courses/test_plausibility.py tests the rule
      with the service's default.
    """
    from django.test import override_settings

    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        OPENIPT_AUDIT_CHAIN_SECONDS=24 * 3600,
        OPENIPT_OLD_START_DAYS=100 * 365,
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory):
    """Give this test process a cache of its own, of the kind the settings chose.

    Tests empty the cache, and parallel workers (or two runs at once on one Redis) must not
    empty each other's: the file cache gets its own folder, Redis keys their own prefix.
    """
    from django.conf import settings
    from django.test import override_settings

    default = dict(settings.CACHES["default"])
    if default["BACKEND"].endswith("RedisCache"):
        default["KEY_PREFIX"] = f"openipt-test-{os.getpid()}"
    else:
        default["LOCATION"] = str(tmp_path_factory.mktemp("cache"))
    with override_settings(CACHES={"default": default}):
        yield
        clear_cache()


@pytest.fixture(scope="session", autouse=True)
def _own_queue():
    """Give this test process a job queue of its own (openipt.jobs.queue): on Redis, parallel
    workers and runs would otherwise take each other's tasks."""
    from django.test import override_settings

    from openipt.jobs.queue import huey

    with override_settings(OPENIPT_QUEUE_NAME=f"openipt-test-{os.getpid()}"):
        huey.reset_storage()
        yield
        from django.conf import settings

        if settings.OPENIPT_REDIS_URL:
            huey.storage.flush_all()
            huey.storage.flush_results()
        huey.reset_storage()


def clear_cache() -> None:
    """Empty this process's cache; on Redis only its own keys (FLUSHDB would empty all)."""
    from django.core.cache import cache

    backend = cache._cache if hasattr(cache, "_cache") else None
    if backend is None or not hasattr(backend, "get_client"):
        cache.clear()
        return
    client = backend.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache: it holds kept pages, sessions, throttle counts
    and fitted curves."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


@pytest.fixture
def course_options() -> dict[str, Any]:
    """The make_course keywords of `course`; an area that needs other values overrides this."""
    return {}


@pytest.fixture
def other_course_options(course_options: dict[str, Any]) -> dict[str, Any]:
    """The make_course keywords of `other_course`: those of `course` unless an area differs."""
    return course_options


@pytest.fixture
def course(cast: Cast, course_options: dict[str, Any]) -> Course:
    """A course of the therapist's client."""
    return make_course(client=cast.client, therapist=cast.therapist, **course_options)


@pytest.fixture
def other_course(cast: Cast, other_course_options: dict[str, Any]) -> Course:
    """A course of the outsider's client, for the tests of what the therapist may not reach."""
    return make_course(client=cast.other_client, therapist=cast.outsider, **other_course_options)


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
