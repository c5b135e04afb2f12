"""Hostile input to every form and every API operation: refused (4xx) or stored and shown
escaped, never a 500.

Forms are found by opening each page as the person who uses it and reading its HTML; API
operations come from the OpenAPI document. Both lists are discovered, so a new form or
operation is attacked without editing this file.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.security import hostile
from tests.security.routes import Route, api_routes, example_body, page_routes
from tests.security.rules import rule_for
from tests.security.world import World

FAST_API = override_settings(OPENIPT_API_RATE_USER="1000000/m", OPENIPT_API_RATE_ANON="1000000/m")


# The world is built once for this module (tests/security/conftest.py: module_world); every
# test's writes roll back in its own savepoint.
@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def cast(module_world, db):
    return module_world.cast


def _user_of(route: Route, world: World) -> Any:
    """Return who fills this page's forms: the client in the portal, the admin in audit."""
    area = route.namespace.split(":")[0]
    return {"portal": world.client_user, "audit": world.admin}.get(area, world.owner)


def _form_pages() -> list[Route]:
    pages = []
    for route in page_routes():
        rule = rule_for(route)
        if rule is None or rule.read is None or route.view_name in ("home",):
            continue
        if route.namespace.split(":")[0] in ("", "core", "api"):
            continue
        pages.append(route)
    return pages


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _assert_safe(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} -> {response.status_code}"
    if not getattr(response, "streaming", False) and "html" in response.get("Content-Type", ""):
        raw = hostile.unescaped(response.content.decode("utf-8", "replace"))
        assert not raw, f"{what} shows {raw} unescaped"


def _send(client: Client, form: hostile.Form, data: dict[str, str]) -> Any:
    if form.method == "post":
        return client.post(form.action, data)
    return client.get(form.action, data)


@pytest.mark.parametrize("route", _form_pages(), ids=lambda r: r.id)
def test_it_survives_hostile_values_in_every_field_of_every_form(route, world):
    client = _signed_in(_user_of(route, world))
    url = route.url(world)
    page = client.get(url)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        pytest.skip(f"{url} answers {page.status_code} {page.get('Content-Type')}: no form")
    forms = hostile.forms_in(page.content.decode(), url)
    if not forms:
        pytest.skip(f"{url} has no form")
    for form in forms:
        for name in form.fields:
            if name == "csrfmiddlewaretoken":
                continue
            for value in hostile.FORM_VALUES:
                data = {**form.fields, name: value}
                _assert_safe(
                    _send(client, form, data), f"{form.method} {form.action} {name}={value[:30]!r}"
                )
        for value in hostile.STRINGS:
            everything = {
                k: (v if k == "csrfmiddlewaretoken" else value) for k, v in form.fields.items()
            }
            _assert_safe(
                _send(client, form, everything), f"{form.action} all fields={value[:20]!r}"
            )
        many = {k: [v, hostile.SCRIPT] for k, v in form.fields.items()}
        _assert_safe(_send(client, form, many), f"{form.action} every field twice")  # type: ignore[arg-type]
    _assert_safe(client.get(url), f"GET {url} after the attack")


def _api_client(world: World) -> Client:
    from openipt.accounts.models import ApiToken

    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(world.owner)[1]}"
    return client


def _api_call(client: Client, route: Route, url: str, body: Any = None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    return client.generic(route.method, url, data, content_type="application/json")


def _assert_api_safe(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} -> {response.status_code}"
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), what
        assert "detail" in json.loads(response.content), what


def _properties(route: Route) -> dict[str, Any]:
    body = route.operation.get("requestBody")
    if not body:
        return {}
    schema = body["content"]["application/json"]["schema"]
    components = route.operation["_components"]
    while "$ref" in schema:
        schema = components["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("properties", {})


@FAST_API
@pytest.mark.parametrize("route", api_routes(), ids=lambda r: r.id)
def test_it_survives_hostile_bodies_and_parameters_on_every_operation(route, world):
    client = _api_client(world)
    url = route.url(world)
    body = example_body(route, world)
    if body is not None:
        for raw in hostile.RAW_BODIES:
            _assert_api_safe(_api_call(client, route, url, raw=raw), f"{route.id} raw {raw[:20]!r}")
        for name in _properties(route):
            for value in hostile.JSON_VALUES:
                attacked = {**body, name: value}
                _assert_api_safe(
                    _api_call(client, route, url, attacked), f"{route.id} {name}={value!r:.40}"
                )
        _assert_api_safe(
            _api_call(client, route, url, {**body, "unexpected": 1}), f"{route.id} extra"
        )
    for name in route.params:
        for bad in ("abc", "-1", "0", "99999999999999999999", "1%00", "%2e%2e", "1.5"):
            bad_url = url.replace(f"/{route.url_params(world)[name]}", f"/{bad}", 1)
            _assert_api_safe(_api_call(client, route, bad_url, body), f"{route.id} {name}={bad}")
    for param in route.operation.get("parameters", []):
        if param["in"] == "query":
            for value in ("-1", "abc", "99999999999999999999", "\x00", hostile.SCRIPT, "x" * 5000):
                query = f"{url}?{param['name']}={value}"
                _assert_api_safe(
                    _api_call(client, route, query, body), f"{route.id} ?{param['name']}"
                )


@FAST_API
def test_it_refuses_a_body_over_the_size_limit_with_a_clear_413(world, settings):
    client = _api_client(world)
    huge = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = client.post("/api/v1/clients", huge, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    form = _signed_in(world.owner).post(
        "/clients/new/", {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    )
    assert form.status_code == 413


@FAST_API
def test_it_refuses_a_nul_character_in_a_search_with_a_400_and_in_a_form_with_an_error(world):
    """PostgreSQL cannot compare text with NUL; SQLite can. Both must answer the same 400."""
    response = _api_client(world).get("/api/v1/clients?search=a%00b")
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]
    page = _signed_in(world.owner)
    assert page.get("/clients/?q=%00").status_code == 400
    refused = page.post("/clients/new/", {"name": "Nul\x00Name"})  # a form error instead
    assert refused.status_code == 200
    assert b"Null characters are not allowed" in refused.content


@FAST_API
def test_it_refuses_deeply_nested_json_with_a_clear_400(world):
    response = _api_client(world).post(
        "/api/v1/clients", "[" * 10_000 + "]" * 10_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_it_measures_json_depth_without_counting_brackets_in_strings():
    from openipt.core.middleware import json_depth

    assert json_depth(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == 1
    assert json_depth(b'{"a": [1, {"b": [2]}]}') == 4
    assert json_depth(b'{"a": "\\"[["}') == 1
    assert json_depth(b"42") == 0


@FAST_API
def test_it_stores_hostile_text_and_shows_it_escaped_everywhere(world):
    """Write a script tag through every API operation and form, then read every page."""
    api = _api_client(world)
    for route in api_routes():
        body = example_body(route, world)
        if body is None or route.method == "DELETE":
            continue
        strings = {
            k: hostile.SCRIPT for k, v in _properties(route).items() if v.get("type") == "string"
        }
        api.generic(
            route.method,
            route.url(world),
            json.dumps({**body, **strings}),
            content_type="application/json",
        )
    owner = _signed_in(world.owner)
    stored = owner.post(
        f"/clients/{world.client.pk}/edit/", {"name": hostile.SCRIPT, "record_number": "R-1"}
    )
    assert stored.status_code == 302, "the form should accept a name that merely looks like HTML"
    readers = {
        "owner": owner,
        "supervisor": _signed_in(world.supervisor),
        "client": _signed_in(world.client_user),
    }
    shown = 0
    for route in page_routes():
        rule = rule_for(route)
        if rule is None or rule.read is None:
            continue
        for role, client in readers.items():
            response = client.get(route.url(world))
            if response.status_code == 200 and not getattr(response, "streaming", False):
                html = response.content.decode("utf-8", "replace")
                assert not hostile.unescaped(html), f"{role} GET {route.url(world)}"
                shown += "&lt;script&gt;alert(" in html
    assert shown, "no page showed the stored text at all: the test would prove nothing"


def test_it_refuses_numbers_too_large_for_the_database_in_any_form_or_query(cast, login):
    client = login(cast.therapist)
    huge = "9" * 30
    for response in (
        client.post("/clients/new/", {"name": huge}),  # multipart, as browsers send files
        client.post("/clients/new/", f"name={huge}", "application/x-www-form-urlencoded"),
        client.get("/clients/", {"page": huge}),
        client.get("/api/v1/clients", {"offset": huge}),
    ):
        assert response.status_code == 400
        assert b"is too large" in response.content


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("multipart/form-data; boundary=x", b"--x\r\nbroken"),
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=" + "b" * 300, b"--"),
        ("application/x-www-form-urlencoded", b"%ff%fe=%00&a=" + b"%" * 50),
    ],
)
def test_it_answers_malformed_form_bodies_without_a_500(cast, login, content_type, body):
    response = login(cast.therapist).generic("POST", "/clients/new/", body, content_type)
    assert response.status_code in (200, 400)
