"""Django settings for the benchmark: the product's, plus a timing header and a bare view.

The outermost middleware only measures, and the extra route exists only in this URL map,
which only the benchmark's gunicorn and bench/measure.py load. Everything else, the cache
included, is the product's: the driver chooses the cache as a deployment would, through the
product's environment variables (OPENIPT_REDIS_URL, or OPENIPT_CACHE_DIR and
OPENIPT_CACHE_MAX_ENTRIES), so the benchmark measures the cache a service really runs.
"""

from __future__ import annotations

from openipt.settings import *  # noqa: F403
from openipt.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.timing.ServerTimingMiddleware", *MIDDLEWARE]
