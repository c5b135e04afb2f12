"""Kept values: made once, found again until a scope's token is replaced, never stale."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from openipt.core import kept


def _counting(value):
    calls = []

    def make():
        calls.append(1)
        return value

    return make, calls


def test_it_makes_a_value_once_and_finds_it_again():
    make, calls = _counting({"n": 1})
    assert kept.get_or_make("thing", ["course:1"], (1,), make) == {"n": 1}
    assert kept.get_or_make("thing", ["course:1"], (1,), make) == {"n": 1}
    assert len(calls) == 1


def test_it_keeps_a_falsy_value_as_a_value():
    make, calls = _counting(None)
    kept.get_or_make("nothing", ["course:1"], (), make)
    kept.get_or_make("nothing", ["course:1"], (), make)
    assert len(calls) == 1


def test_it_makes_the_value_again_after_its_scope_changed():
    make, calls = _counting("v")
    kept.get_or_make("thing", ["course:1"], (), make)
    kept.changed(["course:1"])
    kept.get_or_make("thing", ["course:1"], (), make)
    assert len(calls) == 2


def test_it_keeps_other_scopes_when_one_changes():
    make, calls = _counting("v")
    kept.get_or_make("thing", ["course:2"], (), make)
    kept.changed(["course:1"])
    kept.get_or_make("thing", ["course:2"], (), make)
    assert len(calls) == 1


def test_it_keys_by_every_part():
    assert kept.key("thing", ["course:1"], 1, "a") != kept.key("thing", ["course:1"], 1, "b")
    assert kept.key("thing", ["course:1"], 1) != kept.key("other", ["course:1"], 1)


def test_it_never_reuses_a_token_after_the_cache_lost_it():
    before = kept.key("thing", ["course:1"])
    cache.delete("kept:token:course:1")  # evicted, or the cache restarted
    assert kept.key("thing", ["course:1"]) != before


def test_it_changes_the_key_when_a_setting_changes(settings):
    before = kept.key("thing", ["course:1"])
    settings.OPENIPT_MEASURE_EVERY_N = 3
    assert kept.key("thing", ["course:1"]) != before


def test_it_replaces_tokens_again_when_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        kept.changed(["course:1"])
        during = kept.tokens(["course:1"])
    assert len(callbacks) == 1
    callbacks[0]()
    assert kept.tokens(["course:1"]) != during


def test_it_makes_many_values_in_one_call_and_only_the_missing_ones():
    made = []

    def make(missing):
        made.append(sorted(missing))
        return {item: f"row {item}" for item in missing}

    items = {n: ([f"course:{n}"], (n,)) for n in (1, 2, 3)}
    assert kept.get_many_or_make("rows", items, make) == {1: "row 1", 2: "row 2", 3: "row 3"}
    kept.changed(["course:2"])
    assert kept.get_many_or_make("rows", items, make)[2] == "row 2"
    assert made == [[1, 2, 3], [2]]


class _Broken:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("the cache is down")

        return fail


@pytest.fixture
def broken_cache(monkeypatch):
    monkeypatch.setattr(kept, "cache", _Broken())


def test_it_computes_without_the_cache_when_the_cache_fails(broken_cache):
    make, calls = _counting("v")
    assert kept.get_or_make("thing", ["course:1"], (), make) == "v"
    assert kept.get_or_make("thing", ["course:1"], (), make) == "v"
    assert len(calls) == 2
    kept.changed(["course:1"])  # logged, not raised: the write itself succeeded


def test_it_makes_many_without_the_cache_when_the_cache_fails(broken_cache):
    items = {1: (["course:1"], ())}
    assert kept.get_many_or_make("rows", items, lambda m: {i: i for i in m}) == {1: 1}


def test_the_file_cache_culls_at_most_once_a_minute(tmp_path, monkeypatch):
    from openipt.core import filecache

    store = filecache.FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 3}})
    counted = []
    monkeypatch.setattr(
        filecache.FileBasedCache, "_cull", lambda self: counted.append(1), raising=True
    )
    for n in range(10):
        store.set(f"k{n}", n)
    assert len(counted) == 1
    monkeypatch.setattr(filecache.time, "monotonic", lambda: store._next_cull + 1)
    store.set("later", 1)
    assert len(counted) == 2


def test_it_replaces_a_scope_once_for_many_rows_written_in_one_block(db, monkeypatch):
    from django.db import transaction

    replaced = []
    monkeypatch.setattr(kept, "_replace", lambda scopes: replaced.append(list(scopes)))
    with transaction.atomic():
        kept.changed(["course:1", "service"])
        kept.changed(["course:1", "service"])
        with transaction.atomic():  # a service's own block: replaced again now, not later
            kept.changed(["course:1"])
    assert replaced == [["course:1", "service"], ["course:1"]]
