"""Snapshot tests: every example chart must match its stored SVG byte for byte.

The stored files live in tests/charts/snapshots/. After an intended change to a chart
(or a matplotlib upgrade, which moves coordinates), regenerate them and review the diff:

    OPENIPT_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/charts -q -p no:django

With that variable set the test rewrites each snapshot instead of comparing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.charts.cases import CASES

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_matches_the_stored_snapshot(name: str) -> None:
    rendered = CASES[name]().encode()
    path = SNAPSHOTS / f"{name}.svg"
    if os.environ.get("OPENIPT_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_bytes(rendered)
        return
    assert path.exists(), f"No snapshot for {name}; run with OPENIPT_UPDATE_SNAPSHOTS=1"
    assert rendered == path.read_bytes(), (
        f"{name} differs from {path}; if the change is intended, "
        "regenerate with OPENIPT_UPDATE_SNAPSHOTS=1 and review the diff"
    )


def test_it_has_no_stale_snapshots() -> None:
    stored = {path.stem for path in SNAPSHOTS.glob("*.svg")}
    assert stored <= set(CASES), f"Snapshots without a case: {sorted(stored - set(CASES))}"
