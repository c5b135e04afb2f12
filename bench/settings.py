"""Django settings for the benchmark: the product's, plus a timing header, a bare view and a
cache shared by the workers.

The outermost middleware only measures, and the extra route exists only in this URL map,
which only the benchmark's gunicorn loads. The cache is a file cache shared by all workers,
as a service would share Redis or memcached between its workers: what one worker computes
(the expected-change curves, say) the others reuse; bench/measure.py fills it first and
times that.
"""

from openipt.settings import *  # noqa: F403
from openipt.settings import DATA_DIR, MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.timing.ServerTimingMiddleware", *MIDDLEWARE]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}
