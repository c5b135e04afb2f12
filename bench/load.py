"""Start locust: `python -m bench.load <locust options>` (see bench/serve.py for why)."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    from locust.main import main

    sys.argv = ["locust", *sys.argv[1:]]
    sys.exit(main())
