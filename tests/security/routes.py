"""Every route of the application: URL patterns from the resolver, operations from OpenAPI.

Discovered at collection time, so a route added by any area is tested the moment it exists.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import today
from tests.security.world import World, value_for

API_PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern (kind "page") or one API operation (kind "api")."""

    kind: str
    template: str  # the path with {name} placeholders
    namespace: str = ""
    url_name: str = ""
    view_module: str = ""
    params: tuple[str, ...] = ()
    converters: tuple[tuple[str, str], ...] = ()  # page kwargs: (name, converter)
    method: str = "GET"  # API operations only; pages are called with GET and POST
    operation: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        where = f"{self.namespace}:{self.url_name}" if self.url_name else self.template
        return f"{self.method if self.kind == 'api' else 'PAGE'} {self.template} [{where}]"

    @property
    def view_name(self) -> str:
        return f"{self.namespace}:{self.url_name}" if self.namespace else self.url_name

    @property
    def object_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if p.endswith("_id"))

    def url(self, world: World) -> str:
        """Return a concrete URL, every parameter naming one of the owner's objects."""
        values = self.url_params(world)
        if self.kind == "page" and self.url_name:
            return reverse(self.view_name, kwargs=values)
        return self.template.format(**values)

    def url_params(self, world: World) -> dict[str, Any]:
        """Return the value of each path parameter."""
        path_params = {
            p["name"]: p.get("schema", {})
            for p in self.operation.get("parameters", [])
            if p.get("in") == "path"
        }
        for name, converter in self.converters:
            path_params[name] = {"type": "integer" if converter == "int" else "string"}
        return {name: value_for(name, world, path_params.get(name)) for name in self.params}


def _pattern_text(pattern: Any) -> str:
    text = str(pattern.pattern)
    return text.lstrip("^").rstrip("$")


def _walk(patterns: list[Any], prefix: str, namespaces: tuple[str, ...]) -> list[Route]:
    routes: list[Route] = []
    for entry in patterns:
        text = prefix + _pattern_text(entry)
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            routes.extend(_walk(entry.url_patterns, text, ns))
        elif isinstance(entry, URLPattern):
            found = [(m.group("name"), m.group("conv") or "str") for m in _CONVERTER.finditer(text)]
            params = tuple(name for name, _ in found)
            params += tuple(entry.pattern.regex.groupindex)
            template = "/" + _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", text)
            routes.append(
                Route(
                    kind="page",
                    template=template,
                    namespace=":".join(namespaces),
                    url_name=entry.name or "",
                    view_module=getattr(entry.callback, "__module__", "") or "",
                    params=tuple(dict.fromkeys(params)),
                    converters=tuple(found),
                )
            )
    return routes


def page_routes() -> list[Route]:
    """Return every URL pattern except the API's (those come from OpenAPI with methods)."""
    return [
        r
        for r in _walk(get_resolver().url_patterns, "", ())
        if r.namespace != "api" or (r.url_name in ("openapi-json", "openapi-view", "api-root"))
    ]


def api_routes() -> list[Route]:
    """Return every operation in the OpenAPI document, one Route per method and path."""
    from openipt.api.core import api

    schema = api.get_openapi_schema()
    routes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
            routes.append(
                Route(
                    kind="api",
                    template=path,
                    namespace="api",
                    url_name=operation.get("operationId", ""),
                    params=params,
                    method=method.upper(),
                    operation={**operation, "_components": schema.get("components", {})},
                )
            )
    return routes


def example_body(route: Route, world: World) -> dict[str, Any] | None:
    """Return a minimal valid JSON body for the operation, ids naming the owner's objects."""
    body = route.operation.get("requestBody")
    if not body:
        return None
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    return _example(schema, route.operation["_components"], world, "")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _example(schema: dict[str, Any], components: dict[str, Any], world: World, name: str) -> Any:
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, components).get("type") != "null"]
            return _example(options[0], components, world, name) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: _example(props[k], components, world, k) for k in schema.get("required", [])}
    if kind == "array":
        count = schema.get("minItems", 0)
        return [_example(schema.get("items", {}), components, world, name) for _ in range(count)]
    if kind == "integer":
        if name.endswith("_id"):
            try:
                return value_for(name, world)
            except LookupError:
                pass
        return max(schema.get("minimum", 1), 0)
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") == "date":
            return (today() - dt.timedelta(days=1)).isoformat()
        if schema.get("format") == "date-time":
            return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        return "m" * max(schema.get("minLength", 1), 1)
    return None


def body_names_objects(body: Any) -> bool:
    """Return True when a JSON body refers to stored objects by id (client_id, ...)."""
    if isinstance(body, dict):
        return any(k.endswith("_id") or body_names_objects(v) for k, v in body.items())
    if isinstance(body, list):
        return any(body_names_objects(v) for v in body)
    return False
