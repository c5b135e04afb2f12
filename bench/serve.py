"""Start gunicorn on OpenIPT's WSGI application: `python -m bench.serve <gunicorn options>`.

Started as a module of the benchmark rather than as `gunicorn openipt.wsgi:application`,
so that a clean-up elsewhere on a shared machine that stops "gunicorn" processes by name
does not stop the benchmark's server half-way through a measurement.
"""

from __future__ import annotations

import sys

from gunicorn.app.wsgiapp import run

if __name__ == "__main__":
    sys.argv = ["gunicorn", "openipt.wsgi:application", *sys.argv[1:]]
    sys.exit(run())
