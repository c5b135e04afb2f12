"""Content hashes of published instrument versions.

A published version is never edited in place. When a new version is published, add its hash
here (print it with `Instrument.content_hash`); the registry and the tests refuse a built-in
whose content no longer matches. The hash covers the validated definition (canonical JSON),
not the file bytes, so a YAML comment may be corrected but no encoded fact may change.
"""

from __future__ import annotations

PUBLISHED_HASHES: dict[tuple[str, str], str] = {
    ("gad7", "1.0"): "b4f71787d4c3bf5fc03e775ca9b67317f6372b79db319b98088819f79c957bc7",
    ("phq2", "1.0"): "e9f22a0ab05139956575be97cb937e0fb373baa5140548107a3d5851a5bcc1ce",
    ("phq9", "1.0"): "3dbceddef427c99239963ea1235f3258cbe892c64447d07417540017545d3fe2",
    ("who5", "1.0"): "88f438a95432f5b09376908f9d89e421a19bcf0758b177340cb3b9b7c5432a97",
}
