"""Invented names for synthetic people: common given names and surnames, drawn per seed."""

from __future__ import annotations

import random

GIVEN = (
    "Alex", "Amina", "Ben", "Chloe", "Daniel", "Efua", "Farah", "George", "Hannah", "Ibrahim",
    "Jade", "Kwame", "Laura", "Marek", "Nadia", "Oliver", "Priya", "Quinn", "Rosa", "Samir",
    "Tara", "Umar", "Vera", "Will", "Yusuf", "Zoe", "Aoife", "Bilal", "Carmen", "Dev",
    "Elena", "Femi", "Grace", "Hugo", "Isla", "Jonas", "Kira", "Leon", "Maya", "Niamh",
)  # fmt: skip
FAMILY = (
    "Adams", "Ahmed", "Baker", "Bennett", "Chen", "Clarke", "Davies", "Evans", "Fischer",
    "Garcia", "Green", "Hughes", "Iqbal", "Jones", "Khan", "Kowalski", "Lewis", "Martin",
    "Mensah", "Novak", "Okafor", "Patel", "Quinn", "Roberts", "Santos", "Singh", "Taylor",
    "Walker", "Wright", "Young",
)  # fmt: skip


def person(rng: random.Random) -> str:
    """Return an invented full name."""
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
