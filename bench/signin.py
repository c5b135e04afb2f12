"""Sign every benchmark user in through the real login form, once, before the load phases.

Each sign-in is a GET of the login page (CSRF token and cookie) and a POST of the form;
the session cookie it returns is what the locust users then send. Signing in inside each
load phase would put 50 Argon2 password checks at the start of every measurement.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(base: str, username: str, password: str) -> str:
    """Return the session id of a fresh sign-in, or raise if the form refuses it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    page = opener.open(f"{base}/accounts/login/", timeout=60).read().decode()
    found = TOKEN.search(page)
    if found is None:
        raise RuntimeError("the login page has no CSRF token")
    form = urllib.parse.urlencode(
        {"login": username, "password": password, "csrfmiddlewaretoken": found.group(1)}
    ).encode()
    try:
        opener.open(f"{base}/accounts/login/", data=form, timeout=60)
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise
    for cookie in jar:
        if cookie.name == "sessionid":
            return str(cookie.value)
    raise RuntimeError(f"signing in as {username} gave no session")


def sign_in_all(base: str, plan_path: Path) -> int:
    """Add a session cookie to every therapist and supervisor of the plan; return how many."""
    plan = json.loads(plan_path.read_text())
    for therapist in plan["therapists"]:
        therapist["session"] = session_cookie(base, therapist["username"], plan["password"])
    plan["supervisor_sessions"] = [
        session_cookie(base, name, plan["password"]) for name in plan["supervisors"]
    ]
    plan_path.write_text(json.dumps(plan, indent=1) + "\n")
    return len(plan["therapists"]) + len(plan["supervisors"])
