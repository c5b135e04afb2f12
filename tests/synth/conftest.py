"""Helpers for the synthetic-data tests: a small run and a digest of what it stored."""

from __future__ import annotations

import datetime
import hashlib

import pytest

ANCHOR = datetime.date(2026, 3, 16)


def synth_config(**overrides):
    from openipt.synth.config import SynthConfig

    values = {"courses": 40, "seed": 5, "today": ANCHOR, "batch_courses": 15}
    values.update(overrides)
    return SynthConfig(**values)


def stored_digest() -> str:
    """Return a SHA-256 over every row the generator writes, in a stable order.

    Item answers are ordered by (administration, position) and their own ids left out: on
    PostgreSQL their identity sequence is not rolled back with a test's transaction.
    """
    from openipt.synth.rows import tables

    digest = hashlib.sha256()
    for name, table in tables().items():
        model = table.model
        fields = [f for f in table.fields if not (name == "item" and f == "id")]
        order = ("administration_id", "position") if name == "item" else ("id",)
        for row in model.objects.order_by(*order).values_list(*fields):
            digest.update(repr((name, row)).encode())
    return digest.hexdigest()


@pytest.fixture
def some_data(db):
    """A database that is not empty: a therapist and a client (no password hashing)."""
    from openipt.accounts.models import User
    from openipt.clients.models import Client

    therapist = User.objects.create(username="present", role="therapist")
    Client.objects.create(name="Present Client", primary_therapist=therapist)
    return therapist


@pytest.fixture
def synth(db):
    """Return a function that runs the generator on the test database."""
    from openipt.synth.service import generate

    def run(**overrides):
        return generate(synth_config(**overrides))

    return run
