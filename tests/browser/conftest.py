"""Browser tests drive Debian's chromium through Playwright; no browser is downloaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run `make system-deps` (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def sign_in(page, live_server):
    """Return a function that signs a user in through the real login form."""

    def _sign_in(username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        return page

    return _sign_in


@pytest.fixture
def shoot(page):
    """Return a function that saves desktop and 360 px screenshots of the current page."""

    def _shoot(name: str) -> None:
        # Charts that arrive after the page (charts/_slot.html) are in the picture.
        page.wait_for_function("document.querySelectorAll('.chart-slot').length === 0")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 360, "height": 740})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

    return _shoot
