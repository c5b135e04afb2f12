"""Supervision and service-outcome dashboards: indexed aggregates over course summary columns."""
