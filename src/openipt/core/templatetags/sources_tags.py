"""Source tags as links to the sources page: `{% src "S44" %}`, `|sources`, `|cite`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
TAG = re.compile(r"\[(S\d+)\]")


def _link(tag: str) -> SafeString:
    url = reverse("core:sources")
    return format_html('<a class="src-link" href="{}#{}">[{}]</a>', url, tag, tag)


@register.simple_tag
def src(*tags: str, sep: str = " ") -> SafeString:
    """Return the tags as links, "[S1] [S33]" (or with `sep`, e.g. ", ")."""
    return mark_safe(escape(sep).join(_link(tag) for tag in tags))  # noqa: S308 - escaped


@register.filter
def sources(tags: Iterable[str] | None) -> SafeString:
    """Return a list of tags as linked "[S1], [S33]", the form the docs cite them in."""
    return mark_safe(", ".join(_link(tag) for tag in tags or ()))  # noqa: S308 - escaped


@register.filter
def cite(text: object) -> SafeString:
    """Escape a text and link the source tags in it (help texts, messages, reminders)."""
    escaped = str(conditional_escape(text if isinstance(text, str) else str(text)))
    return mark_safe(TAG.sub(lambda m: _link(m.group(1)), escaped))  # noqa: S308 - escaped
