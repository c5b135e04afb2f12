"""A corpus of hostile input, and a small HTML form reader to send it to every form."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
# Markers that must never come back unescaped in a page.
RAW_MARKERS = (SCRIPT, "<img src=x onerror=alert(1)>")

STRINGS = [
    SCRIPT,
    IMG,
    "'; DROP TABLE clients_client; --",
    "1 OR 1=1",
    "{{ 7|add:7 }} {% debug %} ${7*7}",
    "../../../../etc/passwd",
    "\x00nul inside",
    "bell \x07 escape \x1b[31m vertical \x0b",
    "\u202eevil\u202c right-to-left override",
    "\ufeffzero\u200bwidth",
    "😀 👩🏽‍⚕️ emoji",
    "x" * 100_000,
    "   ",
    "",
]
NUMBERS_AS_TEXT = ["-1", "99999999999999999999999999", "1e309", "NaN", "2024-02-30"]
# One of each kind per field (every field of every form gets all of these); the whole
# STRINGS list goes into all fields at once.
FORM_VALUES = [
    SCRIPT,
    IMG,
    "'; DROP TABLE clients_client; --",
    "\x00nul inside",
    "bell \x07 escape \x1b[31m",
    "\u202eevil\u202c",
    "x" * 100_000,
    *NUMBERS_AS_TEXT,
]
WRONG_TYPES: list[Any] = [
    True,
    None,
    0,
    -1,
    10**30,
    1.5,
    "1",
    "true",
    [],
    [1, 2],
    {},
    {"nested": {"deeper": [1]}},
]
JSON_VALUES: list[Any] = [*WRONG_TYPES, SCRIPT, "\x00nul", "\u202eRTL", "x" * 100_000]
RAW_BODIES: list[bytes] = [
    b"",
    b"{not json",
    b'{"name": "\xff\xfe invalid utf-8"}',
    b"\xff\xfe\x00\x00",
    b"[]",
    b'"a string"',
    b"123",
    b"null",
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
]


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    text_fields: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            self._input(self._form, a)
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields[a["name"]] = ""
            self._form.text_fields.append(a["name"])
        elif tag == "select":
            self._select = a["name"]
            self._form.fields.setdefault(a["name"], "")
        elif tag == "option" and self._select:
            current = self._form.fields.get(self._select, "")
            if not current or "selected" in a:
                self._form.fields[self._select] = a.get("value", "")

    def _input(self, form: Form, a: dict[str, str]) -> None:
        kind = a.get("type", "text").lower()
        if kind in ("submit", "button", "image", "reset", "file"):
            return
        if kind in ("checkbox", "radio"):
            if "checked" in a or a["name"] not in form.fields:
                form.fields[a["name"]] = a.get("value", "on")
            return
        form.fields[a["name"]] = a.get("value", "")
        if kind not in ("hidden",):
            form.text_fields.append(a["name"])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


SKIPPED_ACTIONS = ("/accounts/logout/",)


def forms_in(html: str, page_url: str) -> list[Form]:
    """Return the forms of a page with absolute actions, except sign-out."""
    parser = _FormParser()
    parser.feed(html)
    found = []
    for form in parser.forms:
        form.action = urlsplit(urljoin(page_url, form.action or page_url)).path
        if not form.action.startswith(SKIPPED_ACTIONS):
            found.append(form)
    return found


def unescaped(html: str) -> list[str]:
    """Return the hostile markers that appear raw (unescaped) in a page."""
    return [marker for marker in RAW_MARKERS if marker in html]
