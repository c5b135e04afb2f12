"""Map changed paths (one a line on stdin) to the test paths that cover them.

A changed test file runs itself; a changed conftest, helper or source module runs its
area's tests (src/openipt/<area>/ -> tests/<area>/). A change to what every area shares
(tests/conftest.py, the factories, settings, URLs, the shared templates) prints nothing:
scripts/check.sh then runs the fast subset of the whole suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHARED = {"tests/conftest.py", "tests/factories.py", "pyproject.toml"}
SHARED_SOURCES = {"templates", "static", "core"}
# Source areas whose tests live elsewhere too (the matrix covers every route).
ALSO = {
    "accounts": ["tests/security"],
    "audit": ["tests/security"],
    "api": ["tests/security"],
    "cli.py": ["tests/cli"],
}


def targets(paths: list[str]) -> list[str] | None:
    """Return the test paths for these changes, or None when the whole suite is concerned."""
    found: set[str] = set()
    for raw in paths:
        parts = Path(raw).parts
        if raw in SHARED:
            return None
        if parts[:1] == ("tests",) and raw.endswith(".py"):
            found.add(raw if Path(raw).name.startswith("test_") else str(Path(*parts[:2])))
        elif parts[:2] == ("src", "openipt") and len(parts) > 2:
            top = parts[2]
            if top in SHARED_SOURCES or (len(parts) == 3 and top not in ALSO):
                return None
            found.update([str(Path("tests", top)), *ALSO.get(top, [])])
    return sorted(p for p in found if Path(p).exists())


if __name__ == "__main__":
    chosen = targets([line.strip() for line in sys.stdin if line.strip()])
    print("\n".join(chosen or []))
