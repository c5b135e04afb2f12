"""Keep recently drawn charts: the same input always gives the same SVG, and drawing costs.

Matplotlib takes a few hundred milliseconds for a chart; a course page or an outcome report
asked for again with unchanged data gets the stored bytes. The key is a hash of the inputs'
repr (the chart types are frozen dataclasses, dates, numbers and strings, whose repr states
every value), so different data can never share an entry. Per process, bounded, thread-safe.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import ParamSpec

P = ParamSpec("P")
MAX_ENTRIES = 256


def memoized_svg(render: Callable[P, str]) -> Callable[P, str]:
    """Wrap a chart function so that a repeated call with equal inputs returns the stored SVG."""
    kept: OrderedDict[str, str] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(render)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> str:
        text = repr((args, sorted(kwargs.items())))
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        with lock:
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        svg = render(*args, **kwargs)
        with lock:
            kept[key] = svg
            while len(kept) > MAX_ENTRIES:
                kept.popitem(last=False)
        return svg

    wrapper.cache_clear = kept.clear  # type: ignore[attr-defined]
    return wrapper
