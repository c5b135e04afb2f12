"""Serve a kept fragment (a chart, a panel) with an ETag, so a browser that has it gets 304.

The ETag is the kept value's key: it changes exactly when the value would. Call it after
the view has fetched its object with the access check, so a 304 is never an answer to
someone who may not see the record. Such responses may sit in the browser's private cache
(`private, no-cache`: revalidated on every use, never kept by a proxy); signing out clears
it (`Clear-Site-Data`, openipt.core.middleware).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.http import parse_etags

from openipt.core import kept

logger = logging.getLogger(__name__)

CACHE_CONTROL = "private, no-cache"


def kept_fragment(
    request: HttpRequest,
    name: str,
    scopes: Iterable[str],
    parts: tuple,
    render_html: Callable[[], str],
) -> HttpResponse:
    """Answer with the kept HTML of a fragment, 304 when the browser's copy is current.

    Today's date and the language are always part of the key: a fragment may say "today"
    or count back from it, and is kept in the words it was made in.
    """
    parts = (*parts, timezone.localdate(), translation.get_language())
    try:
        cache_key = kept.key(name, scopes, *parts)
    except Exception:
        logger.exception("The cache failed: %s is rendered without it", name)
        return HttpResponse(render_html())
    etag = f'"{cache_key.rsplit(":", 1)[-1]}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(kept.fetch(cache_key, render_html))
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response
