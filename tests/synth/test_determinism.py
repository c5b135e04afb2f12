"""The same seed gives the same service, whoever builds it and in whatever chunks."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.synth.conftest import stored_digest, synth_config

pytestmark = pytest.mark.django_db


def _run_and_digest(**overrides) -> str:
    from openipt.synth.service import generate

    with transaction.atomic():
        generate(synth_config(**overrides))
        digest = stored_digest()
        transaction.set_rollback(True)
    return digest


def test_it_writes_identical_rows_for_the_same_seed():
    assert _run_and_digest() == _run_and_digest()


def test_it_writes_other_rows_for_another_seed():
    assert _run_and_digest(seed=5) != _run_and_digest(seed=6)


def test_it_writes_the_same_rows_whatever_the_chunk_size(monkeypatch):
    from openipt.synth import service

    monkeypatch.setattr(service, "_can_fork", lambda: False)
    assert _run_and_digest(batch_courses=7) == _run_and_digest(batch_courses=40)


def test_it_writes_the_same_rows_when_a_forked_process_builds_them(monkeypatch):
    from openipt.synth import service

    forked = _run_and_digest(batch_courses=10)  # 40 courses > 2 chunks: built in a child
    monkeypatch.setattr(service, "_can_fork", lambda: False)
    assert forked == _run_and_digest(batch_courses=10)
