"""Content-Disposition for every download, from names that may hold anything.

File names are built from stored text (a client's record number), which a user typed: a
quote in it could add a second `filename*=` parameter that browsers prefer, a line
separator broke the response. Every download names its file through `content_disposition`.
"""

from __future__ import annotations

import unicodedata

from django.utils.http import content_disposition_header

# Quotes and backslashes end or escape the quoted name; ; and = start another parameter;
# % is decoded by some browsers; the rest separate paths or are refused by Windows.
UNSAFE = frozenset('"\\/;=%:*?<>|')
MAX_LENGTH = 150
FALLBACK = "download"


def safe_filename(name: str) -> str:
    """Return the name with controls removed and separators replaced, never empty."""
    kept = []
    for char in unicodedata.normalize("NFC", name):
        category = unicodedata.category(char)
        if category[0] == "C" or category in ("Zl", "Zp"):
            continue  # controls, format marks (bidi overrides), line and paragraph separators
        if category == "Zs":
            char = " "
        kept.append("_" if char in UNSAFE else char)
    cleaned = "".join(kept).strip(" .")  # a leading dot hides a file, a trailing one is lost
    return _shorten(cleaned) or FALLBACK


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """Return the header value naming the file; non-ASCII names as RFC 6266 `filename*`."""
    header = content_disposition_header(not inline, safe_filename(filename))
    assert header is not None  # a safe name is never empty
    return header


def _shorten(name: str) -> str:
    """Cut an over-long name in its stem, keeping a short extension."""
    if len(name) <= MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:MAX_LENGTH].rstrip(" .")
    return f"{stem[: MAX_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"
