"""Fixtures for the measures tests: a small valid instrument that tests can break on purpose."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

OPTIONS = [
    {"value": 0, "label": "No"},
    {"value": 1, "label": "Some"},
    {"value": 2, "label": "Much"},
]

VALID: dict[str, Any] = {
    "code": "demo",
    "version": "1.0",
    "name": "Demo scale",
    "description": "A made-up two-item scale used only in tests.",
    "direction": "higher_is_worse",
    "items": [
        {"id": "1", "text": "First", "options": OPTIONS, "sources": ["S1"]},
        {"id": "2", "text": "Second", "options": OPTIONS, "sources": ["S1"]},
    ],
    "total": {"min": 0, "max": 4},
    "bands": [
        {"code": "low", "label": "Low", "min": 0, "max": 1, "sources": ["S1"]},
        {"code": "high", "label": "High", "min": 2, "max": 4, "sources": ["S1"]},
    ],
    "risk_items": [{"item": "2", "min_value": 2, "message": "Check.", "sources": ["S1"]}],
    "reliable_change": {"value": 2, "sources": ["S1"]},
    "licence": "Test only.",
    "attribution": "Nobody.",
    "sources": ["S1"],
}


@pytest.fixture
def demo_data() -> dict[str, Any]:
    """Return a fresh, valid instrument mapping to modify."""
    return copy.deepcopy(VALID)


@pytest.fixture
def write_instrument(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that writes a mapping (or raw text) as an instrument file."""

    def write(data: dict[str, Any] | str, name: str = "demo-1.0.yaml") -> Path:
        path = tmp_path / name
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
