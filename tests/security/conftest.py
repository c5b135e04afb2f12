"""Fixtures of the security tests: the fixture world (tests/conftest.py empties the cache)."""

from __future__ import annotations

import pytest

from tests.factories import build_cast


@pytest.fixture
def world(cast):
    from tests.security.world import build_world

    return build_world(cast)


@pytest.fixture(scope="module")
def module_world(module_db):
    """One world for a whole module, for modules of many tests that only read it or whose
    writes roll back with each test: they override `world` and `cast` with it."""
    from tests.security.world import build_world

    with module_db.unblock():
        return build_world(build_cast())


# The browser fixtures (Debian chromium, sign-in through the real form, screenshots).
from tests.browser.conftest import (  # noqa: E402, F401
    browser_type_launch_args,
    shoot,
    sign_in,
)
