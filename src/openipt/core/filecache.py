"""The shared cache of a host without Redis: Django's file cache, culled now and then.

Django's file cache lists its whole folder to count the entries on every write; with the
tens of thousands of pages and charts a service keeps, that listing costs more than the
write itself. This one counts at most once a minute per process, so the folder may hold
a minute's writes more than OPENIPT_CACHE_MAX_ENTRIES before it is culled.
"""

from __future__ import annotations

import time

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY_SECONDS = 60.0


class FileCache(FileBasedCache):
    _next_cull = 0.0

    def _cull(self) -> None:  # type: ignore[misc]  # Django's own method; not in its stubs
        now = time.monotonic()
        if now < self._next_cull:
            return
        self._next_cull = now + CULL_EVERY_SECONDS
        super()._cull()  # type: ignore[misc]
