"""Start locust on bench/locustfile.py: `python -m bench.load <locust options>`.

Started as a module of the benchmark, with the locustfile found here rather than named on
the command line, so that a clean-up elsewhere on a shared machine that stops processes
whose command line mentions locust does not stop a measurement half-way (seen while these
numbers were taken; bench/serve.py does the same for gunicorn).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    from locust.main import main

    here = Path(__file__).resolve().parent
    sys.argv = ["locust", "-f", str(here / "locustfile.py"), *sys.argv[1:]]
    sys.exit(main())
