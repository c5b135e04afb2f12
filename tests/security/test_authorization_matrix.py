"""The authorization matrix: every route, every role, the expected answer declared once.

Routes come from the URL resolver and the OpenAPI document; expectations from the rules in
tests/security/rules.py. Each route is called as anonymous, as the client, the admin, an
outsider therapist, an outsider's supervisor, the owner's supervisor and finally the owner
(last, because the owner's write may delete the object). A GET is first made once by the
owner, so every kept page and chart is warm when the others ask. Any answer outside the
declared set fails, and so does a 2xx to a stranger that contains the owner's data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.test import Client

from tests.security.routes import Route, api_routes, body_names_objects, example_body, page_routes
from tests.security.rules import (
    GROUP_STAFF,
    INVALID,
    ROLES,
    STRANGERS,
    WRITERS_OF_OWN_DATA,
    is_group_route,
    rule_for,
)
from tests.security.world import ERASED, OWNER_CLIENT_NAME, SENTINEL, World

PAGES = page_routes()
APIS = api_routes()


# The world is built once for this module (tests/security/conftest.py: module_world); every
# test's writes roll back in its own savepoint.
@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def cast(module_world, db):
    return module_world.cast


def outcome(response: Any) -> str:
    """Return the token for a response: a status code, "2xx", "3xx" or "login"."""
    status = response.status_code
    if 200 <= status < 300:
        return "2xx"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        login = settings.LOGIN_URL if "/" in settings.LOGIN_URL else "/accounts/login/"
        return "login" if location.startswith(login) or "/login/" in location else "3xx"
    return str(status)


@dataclass
class Call:
    role: str
    method: str
    url: str
    token: str
    body: bytes


def _client_for(role: str, world: World, tokens: dict[str, str], api: bool) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    user = world.roles[role]
    if api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {tokens[role]}"
    else:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _call(client: Client, method: str, url: str, body: Any, api: bool) -> Any:
    if not api:
        return client.get(url) if method == "GET" else client.post(url, {})
    data = json.dumps(body) if body is not None else None
    return client.generic(method, url, data or "", content_type="application/json")


def _leaks(role: str, route: Route, response: Any) -> str | None:
    """Return what of the owner's record a stranger's 2xx response shows, if anything."""
    if outcome(response) != "2xx" or getattr(response, "streaming", False):
        return None
    text = response.content.decode("utf-8", "replace")
    secrets = [SENTINEL, OWNER_CLIENT_NAME] if role in STRANGERS else []
    rule = rule_for(route)
    if role in GROUP_STAFF and not is_group_route(route):
        secrets = [SENTINEL, OWNER_CLIENT_NAME]  # a facilitator sees their group's rows only
    client_owns = route.namespace.startswith("portal") or (rule is not None and rule.client_owns)
    if role == "client" and not client_owns:
        secrets = [SENTINEL]
    secrets.append(ERASED)  # an erased client is hidden from everyone, the owner too
    found = [s for s in secrets if s in text]
    return ", ".join(found) or None


def _check(route: Route, world: World, tokens: dict[str, str], method: str) -> list[str]:
    rule = rule_for(route)
    assert rule is not None
    expect = rule.read if method == "GET" else rule.write
    assert expect is not None
    api = route.kind == "api"
    url = route.url(world)
    body = example_body(route, world) if api else None
    names_objects = body_names_objects(body)
    seen: dict[str, str] = {}
    problems = []
    may_write = ("owner",) if route.object_params or names_objects else WRITERS_OF_OWN_DATA
    may_write = (*may_write, *rule.writers)
    if rule.client_owns:
        may_write = ("client",)
    if method == "GET":
        # Warm every kept page and chart as the owner sees it first: what is kept for the
        # owner must never be served to anyone else.
        _call(_client_for("owner", world, tokens, api), method, url, body, api)
    for role in ROLES:  # the owner last: their write may delete the object
        before = LogEntry.objects.count()
        response = _call(_client_for(role, world, tokens, api), method, url, body, api)
        seen[role] = outcome(response)
        seen[role + ":status"] = str(response.status_code)
        leak = _leaks(role, route, response)
        if leak:
            problems.append(f"{role}: {method} {url} -> {response.status_code} shows {leak}")
        if role not in may_write and LogEntry.objects.count() != before:
            problems.append(f"{role}: {method} {url} -> {response.status_code} CHANGED records")
    for role in ROLES:
        allowed = set(expect[role]) | {"405"}  # a method a view refuses reveals nothing
        if names_objects and role != "owner":
            allowed.discard("2xx")  # a body naming the owner's objects is theirs alone
            allowed.add("404")
        if seen["owner"] in INVALID:
            allowed.add(seen["owner"])  # the example body did not validate
        if seen[role] not in allowed:
            problems.append(
                f"{role}: {method} {url} -> {seen[role + ':status']} ({seen[role]}); "
                f"expected one of {sorted(allowed)} [{rule.name}]"
            )
    return problems


@pytest.fixture(scope="module")
def tokens(module_world, module_db) -> dict[str, str]:
    from openipt.accounts.models import ApiToken

    with module_db.unblock():
        return {role: ApiToken.issue(user)[1] for role, user in module_world.roles.items()}


def _methods(route: Route) -> list[str]:
    return ["GET", "POST"] if route.kind == "page" else [route.method]


def _covered(route: Route) -> bool:
    rule = rule_for(route)
    return rule is not None and rule.read is not None


@pytest.mark.parametrize("route", [r for r in PAGES + APIS if _covered(r)], ids=lambda r: r.id)
def test_it_answers_every_role_as_declared(route, world, tokens):
    problems = []
    for method in _methods(route):
        problems += _check(route, world, tokens, method)
    assert not problems, "\n".join(problems)


def test_it_declares_a_rule_for_every_route():
    undeclared = [r.id for r in PAGES + APIS if rule_for(r) is None]
    assert not undeclared, (
        "These routes match no rule in tests/security/rules.py. Declare who may call them "
        "(a rule by namespace or kwargs, or an entry in EXCEPTIONS with its reason):\n  "
        + "\n  ".join(undeclared)
    )


def test_it_can_name_an_object_for_every_route_parameter(world):
    missing = []
    for route in PAGES + APIS:
        if _covered(route):
            try:
                route.url(world)
            except LookupError as exc:
                missing.append(f"{route.id}: no fixture value for {exc}")
    assert not missing, (
        "Add the object (or a fixed value) to tests/security/world.py:\n  " + "\n  ".join(missing)
    )


def test_it_builds_one_of_every_clinical_object(world):
    assert not world.failed, (
        "The generic fixture could not make these models; add OVERRIDES in "
        f"tests/security/world.py: {world.failed}"
    )
    assert {"courses.course", "courses.session"} <= set(world.objects)


def test_it_excludes_routes_only_by_declaration():
    excluded = [r for r in PAGES if rule_for(r) is not None and rule_for(r).read is None]
    modules = {r.view_module.split(".")[0] for r in excluded}
    areas = {r.namespace.split(":")[0] for r in excluded}
    assert modules <= {"allauth", "django"} and areas <= {"", "admin"}, (modules, areas)
