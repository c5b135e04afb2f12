"""The source index: what each [S#] tag cited in the content, the pages and the docs is."""

from __future__ import annotations

from functools import cache

from .loader import Entry, SourceTag, Text, content_path, load_content


class Source(Entry):
    """One reference: its tag, title and address as the domain notes give them."""

    id: SourceTag
    title: Text
    address: str


class SourceIndex(Entry):
    sources: tuple[Source, ...]


@cache
def all_sources() -> dict[str, Source]:
    """Return every source by its tag, in the order of the index."""
    index = load_content(content_path("sources.yaml"), SourceIndex)
    return {source.id: source for source in index.sources}
