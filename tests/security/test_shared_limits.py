"""Rate limits hold across workers: the counts live in the shared cache, not in a process.

A second worker is a second Python process with the same settings and cache (the file
cache on a single host, Redis in a service), drawing on the same user's allowance.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

import openipt

# The other worker: count `n` API requests of one user, or `n` failed authentications
# from one address, through the same throttling code, and print what it allowed.
WORKER = """
import json, sys
from datetime import datetime
from types import SimpleNamespace
import django
django.setup()
from django.test import override_settings
from django.test.client import RequestFactory
caches, rate, kind, who, n = json.loads(sys.argv[1])
with override_settings(CACHES=caches, OPENIPT_API_RATE_USER=rate, OPENIPT_API_RATE_ANON=rate):
    from openipt.core.throttling import UserRateThrottle, count_failed_auth
    request = RequestFactory().get("/api/v1/clients", REMOTE_ADDR=who.get("address", ""))
    if kind == "user":
        joined = datetime.fromisoformat(who["date_joined"])
        request.auth = SimpleNamespace(pk=who["pk"], date_joined=joined, is_authenticated=True)
        allowed = [UserRateThrottle().allow_request(request) for _ in range(n)]
    else:
        allowed = [count_failed_auth(request) is None for _ in range(n)]
print(json.dumps(allowed))
"""


def other_worker(rate: str, kind: str, who: dict[str, object], n: int) -> list[bool]:
    """Run `n` counted requests in a separate process; return which it allowed."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "openipt.settings"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(openipt.__file__).parents[1]), os.getcwd()])
    argument = json.dumps([settings.CACHES, rate, kind, who, n])
    result = subprocess.run(
        [sys.executable, "-c", WORKER, argument],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_shares_one_users_api_allowance_between_workers(settings, cast, client, token_for):
    settings.OPENIPT_API_RATE_USER = "6/m"
    headers = token_for(cast.therapist)
    assert [client.get("/api/v1/clients", **headers).status_code for _ in range(3)] == [200] * 3
    user = {"pk": cast.therapist.pk, "date_joined": cast.therapist.date_joined.isoformat()}
    assert other_worker("6/m", "user", user, 4) == [True, True, True, False]
    assert client.get("/api/v1/clients", **headers).status_code == 429


def test_it_shares_the_failed_authentication_count_between_workers(settings, db, client):
    settings.OPENIPT_API_RATE_ANON = "4/m"
    bad = {"HTTP_AUTHORIZATION": "Bearer oipt_guess", "REMOTE_ADDR": "203.0.113.9"}
    assert [client.get("/api/v1/clients", **bad).status_code for _ in range(2)] == [401, 401]
    assert other_worker("4/m", "auth", {"address": "203.0.113.9"}, 2) == [True, True]
    assert client.get("/api/v1/clients", **bad).status_code == 429
