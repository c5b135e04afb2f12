"""Turn an outcome report into what a page shows: table cells in words and two charts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openipt.insights.charts import Value, count_chart, rate_chart
from openipt.insights.outcomes import RATE_NAMES

RATE_LABELS = {
    "recovery": "Recovery",
    "reliable_improvement": "Reliable improvement",
    "reliable_recovery": "Reliable recovery",
    "reliable_deterioration": "Reliable deterioration",
    "response": "Response",
    "remission": "Remission",
}
COUNT_LABELS = {
    "referrals": "Referrals",
    "started": "Courses started",
    "ended": "Courses ended",
    "finished": "Finished (2+ sessions)",
    "at_caseness": "Finished at caseness",
}
CHARTED_RATES = ("recovery", "reliable_improvement", "reliable_recovery")
GROUP_LABELS = {
    "month": "Month",
    "therapist": "Therapist",
    "format": "Format",
    "area": "Problem area",
}
HIDDEN = "hidden"
NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class Chart:
    """One chart with the table of exactly the numbers it draws."""

    title: str
    svg: str
    headers: list[str]
    rows: list[list[str]]


def count_cell(row: dict[str, Any], name: str, min_cell: int) -> str:
    """Return a count in words: the number, "<5" when suppressed, "n/a" where it has none."""
    value = row[name]
    if value is not None:
        return f"{value:,}"
    return f"<{min_cell}" if name in row["suppressed"] else NOT_APPLICABLE


def rate_cell(row: dict[str, Any], name: str) -> str:
    """Return a rate with its numerator and denominator, or why it is not shown."""
    pct, yes, whole = row[f"{name}_pct"], row[name], row[f"{name}_n"]
    if pct is not None:
        return f"{pct:.1f}% ({yes:,} of {whole:,})"
    if f"{name}_pct" in row["suppressed"] or name in row["suppressed"]:
        return HIDDEN
    return "–"


def table(report: dict[str, Any]) -> dict[str, Any]:
    """Return headers and rows of words for the full table, total row last."""
    k = report["min_cell"]
    headers = [GROUP_LABELS[report["filters"]["group"]], *COUNT_LABELS.values()]
    headers += [f"{RATE_LABELS[name]} %" for name in RATE_NAMES]

    def cells(row: dict[str, Any]) -> list[str]:
        return [count_cell(row, name, k) for name in COUNT_LABELS] + [
            rate_cell(row, name) for name in RATE_NAMES
        ]

    return {
        "headers": headers,
        "rows": [(row["label"], cells(row)) for row in report["rows"]],
        "total": cells(report["total"]),
    }


def _chart_value(row: dict[str, Any], name: str) -> Value:
    value = row[name]
    if value is not None:
        return value
    return HIDDEN if name in row["suppressed"] else None


def charts(report: dict[str, Any]) -> list[Chart]:
    """Return the finished-courses chart and the rates chart, each with its own table."""
    rows, group = report["rows"], report["filters"]["group"]
    labels = [row["label"] for row in rows]
    across = group == "month"
    per = GROUP_LABELS[group].lower()
    k = report["min_cell"]
    finished = count_chart(
        labels,
        [_chart_value(row, "finished") for row in rows],
        title="Courses finished",
        subtitle=f"Ended after two or more treatment sessions, by {per}.",
        across=across,
    )
    series = [
        (RATE_LABELS[name], [_chart_value(row, f"{name}_pct") for row in rows])
        for name in CHARTED_RATES
    ]
    rates = rate_chart(
        labels,
        series,
        title="Recovery and reliable improvement",
        subtitle=f"Per cent of finished courses at caseness, by {per}. Higher is better.",
        across=across,
    )
    group_header = GROUP_LABELS[group]
    return [
        Chart(
            "Courses finished",
            finished,
            [group_header, "Finished"],
            [[row["label"], count_cell(row, "finished", k)] for row in rows],
        ),
        Chart(
            "Recovery and reliable improvement",
            rates,
            [group_header, *(RATE_LABELS[name] for name in CHARTED_RATES)],
            [[row["label"], *(rate_cell(row, n) for n in CHARTED_RATES)] for row in rows],
        ),
    ]
