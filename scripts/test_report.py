"""Print what `make test` cost: each step's time and result, then the slowest tests.

Reads the steps file and the JUnit XML of each pytest leg that scripts/test.sh wrote, so
every CI log ends with the same summary, and a slow test is seen the day it lands.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

SLOWEST = 30


def _steps(reports: Path) -> list[tuple[str, float, int]]:
    """Return (name, seconds, exit code) for each step, in the order they ran."""
    path = reports / "steps.tsv"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        name, start, end, code = line.split("\t")
        rows.append((name, float(end) - float(start), int(code)))
    return rows


def _node_id(classname: str, name: str) -> str:
    """Return pytest's node id from JUnit's dotted class name (module path, then classes)."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if module.exists():
            return "::".join([module.as_posix(), *parts[cut:], name])
    return f"{classname}::{name}"


def _legs(reports: Path) -> list[tuple[str, dict[str, int], list[tuple[float, str]]]]:
    """Return each leg's counts and its tests' times, from the JUnit XML files."""
    legs = []
    for path in sorted(reports.glob("*.xml")):
        root = ET.parse(path).getroot()  # noqa: S314
        suite = root if root.tag == "testsuite" else root.find("testsuite")
        if suite is None:
            continue
        counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
        times = [
            (float(case.get("time", "0")), _node_id(case.get("classname", ""), case.get("name")))
            for case in suite.iter("testcase")
        ]
        legs.append((path.stem, counts, times))
    return legs


def report(reports: Path) -> str:
    """Return the summary as text."""
    lines = ["", "==> Timing summary"]
    steps = _steps(reports)
    for name, seconds, code in steps:
        result = "ok" if code == 0 else f"FAILED (exit {code})"
        lines.append(f"  {name:<24}{_clock(seconds):>10}  {result}")
    if steps:
        lines.append(f"  {'all steps':<24}{_clock(sum(s for _, s, _ in steps)):>10}")
    legs = _legs(reports)
    for leg, counts, times in legs:
        passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
        lines.append(
            f"  {leg}: {counts['tests']} results (with subtests), {passed} passed, "
            f"{counts['skipped']} skipped, "
            f"{counts['failures']} failed, {counts['errors']} errors; "
            f"{_clock(sum(t for t, _ in times))} of test time over all workers"
        )
    slowest = sorted(((t, leg, node) for leg, _, ts in legs for t, node in ts), reverse=True)
    if slowest:
        lines.append(f"\nThe {SLOWEST} slowest tests (setup, call and teardown):")
        for seconds, leg, node in slowest[:SLOWEST]:
            lines.append(f"  {seconds:7.2f} s  {leg:<10}  {node}")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{seconds:.1f}s"


if __name__ == "__main__":
    print(report(Path(sys.argv[1])))
