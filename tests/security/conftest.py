"""Fixtures of the security tests: the fixture world (tests/conftest.py empties the cache)."""

from __future__ import annotations

import pytest


@pytest.fixture
def world(cast):
    from tests.security.world import build_world

    return build_world(cast)


# The browser fixtures (Debian chromium, sign-in through the real form, screenshots).
from tests.browser.conftest import (  # noqa: E402, F401
    browser_type_launch_args,
    shoot,
    sign_in,
)
