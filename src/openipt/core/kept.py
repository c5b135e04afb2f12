"""Keep what pages derive from the records, in the shared cache, under tokens every change
replaces: a page pays for its work when its data changes, not each time it is viewed.

A kept value (a rendered fragment, a chart, a dashboard's figures) is stored under a key
made of its name, its own parts (an id, today's date, the viewer's kind of access) and the
current token of every *scope* it depends on: `course:<id>`, `therapist:<id>`, `service`.
A write to a course's records calls `changed()` for the scopes it touches; each token is
replaced at once and again when the transaction commits, so a reader that saw the old
data under the new token is corrected too, and no kept value outlives its data. A lost or
evicted token is made anew, never reused. The key also carries a fingerprint of the code
and the OPENIPT_* settings, so an upgrade or a settings change starts from nothing.

Kept values are not access decisions: views check who may see the record first, on every
request, and only then read or fill the cache. If the cache fails, the value is computed
as if it had never been kept. docs/architecture.md, "What is kept", lists every kept value.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver

import openipt

logger = logging.getLogger(__name__)

T = TypeVar("T")
PREFIX = "kept"
# Tokens live until replaced; values expire after a week unused (the cache evicts first).
TOKEN_TIMEOUT = None
VALUE_TIMEOUT = 7 * 24 * 3600
_SOURCE_SUFFIXES = (".py", ".html", ".yaml", ".yml", ".toml", ".txt", ".css", ".js")


@functools.cache
def _code_fingerprint() -> str:
    """Return a digest of the package's files: a deploy of other code keeps nothing."""
    root = Path(openipt.__file__).parent
    digest = hashlib.sha256(openipt.__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in _SOURCE_SUFFIXES:
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@functools.cache
def fingerprint() -> str:
    """Return the digest of the code and of every OPENIPT_* setting that kept values use."""
    names = sorted(
        name for name in dir(settings) if name.startswith("OPENIPT_") and "KEY" not in name
    )
    text = repr([(name, getattr(settings, name)) for name in names])
    text += repr((settings.LANGUAGE_CODE, settings.TIME_ZONE))
    return hashlib.sha256((_code_fingerprint() + text).encode()).hexdigest()[:16]


@receiver(setting_changed)
def _forget_fingerprint(**_kwargs: Any) -> None:
    fingerprint.cache_clear()


def _token_key(scope: str) -> str:
    return f"{PREFIX}:token:{scope}"


def _new_token() -> str:
    return secrets.token_hex(8)


def course_scope(course_id: int) -> str:
    """Return the scope of what is kept about one course alone (its pages and charts)."""
    return f"course:{course_id}"


def therapist_scope(therapist_id: int) -> str:
    """Return the scope of what is kept about a therapist's courses together."""
    return f"therapist:{therapist_id}"


SERVICE = "service"  # the scope of what is kept about every course (outcome reports)
# Every key carries this scope too: a restore, a bulk load or a recomputation of the
# summaries replaces it, and with it everything kept.
EVERYTHING = "everything"


def scope_of(record: Any) -> str:
    """Return the scope whose changes a kept part of a page about this record follows."""
    label = record._meta.label_lower
    if label == "courses.course":
        return course_scope(record.pk)
    raise ValueError(f"Nothing is kept about {label} records")


def course_scopes(course_id: int, therapist_id: int | None) -> list[str]:
    """Return the scopes a change to one course's records touches."""
    scopes = [course_scope(course_id), SERVICE]
    if therapist_id is not None:
        scopes.append(therapist_scope(therapist_id))
    return scopes


def changed(scopes: Iterable[str]) -> None:
    """Replace the tokens of these scopes now and again after the transaction commits.

    Now: a page read later in this transaction (or in a test, which never commits) sees
    the change. After the commit: a reader that kept the old records under the new token
    between the two is corrected. Within one atomic block a scope is replaced once now, and
    once per transaction after the commit, however many rows of it the block writes.
    """
    scopes = sorted(set(scopes))
    if not scopes:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _replace(scopes)
        return
    here = frozenset(connection.savepoint_ids)
    queued: dict[str, set[frozenset]] = {}
    for sids, func, _robust in connection.run_on_commit:
        if isinstance(func, _Replacement):
            for scope in func.scopes:
                queued.setdefault(scope, set()).add(frozenset(sids))
    if now := [scope for scope in scopes if here not in queued.get(scope, ())]:
        _replace(now)
    if later := [scope for scope in scopes if scope not in queued]:
        transaction.on_commit(_Replacement(later), robust=True)


class _Replacement:
    """The replacement queued for after a commit (a class, so a second one can see it)."""

    def __init__(self, scopes: list[str]) -> None:
        self.scopes = scopes

    def __call__(self) -> None:
        _replace(self.scopes)


def changed_everything() -> None:
    """Say that records changed in bulk (a restore, synthetic data, recomputed summaries)."""
    changed([EVERYTHING])


def _replace(scopes: list[str]) -> None:
    try:
        cache.set_many({_token_key(s): _new_token() for s in scopes}, TOKEN_TIMEOUT)
    except Exception:  # the cache is down: nothing can be read from it either
        logger.exception("Could not replace kept-value tokens %s", scopes)


def tokens(scopes: Iterable[str]) -> dict[str, str]:
    """Return the current token of each scope, making one for a scope that has none."""
    scopes = list(dict.fromkeys([*scopes, EVERYTHING]))
    found = cache.get_many([_token_key(s) for s in scopes])
    result = {}
    for scope in scopes:
        token = found.get(_token_key(scope))
        if token is None:
            token = _new_token()
            if not cache.add(_token_key(scope), token, TOKEN_TIMEOUT):
                token = cache.get(_token_key(scope)) or token
        result[scope] = token
    return result


def key(name: str, scopes: Iterable[str], *parts: Any) -> str:
    """Return the cache key of a kept value: its name, the scopes' tokens and its parts."""
    return _key_from(name, tokens(scopes), parts)


def get_or_make(name: str, scopes: Iterable[str], parts: tuple, make: Callable[[], T]) -> T:
    """Return the kept value, computing and keeping it when it is missing or stale."""
    try:
        cache_key = key(name, scopes, *parts)
    except Exception:
        logger.exception("The cache failed: %s is computed without it", name)
        return make()
    return fetch(cache_key, make)


def fetch(cache_key: str, make: Callable[[], T]) -> T:
    """Return the value kept under a key from `key()`, or make and keep it."""
    try:
        found = cache.get(cache_key)
    except Exception:
        logger.exception("The cache failed: %s is computed without it", cache_key)
        return make()
    if found is not None:
        return found[0]
    value = make()
    try:
        cache.set(cache_key, (value,), VALUE_TIMEOUT)
    except Exception:
        logger.exception("The cache failed: %s is not kept", cache_key)
    return value


def get_many_or_make(
    name: str, items: Mapping[Any, tuple[Iterable[str], tuple]], make: Callable[[list[Any]], dict]
) -> dict[Any, Any]:
    """Return kept values for many items at once; `make` computes the missing ones.

    `items` maps each item to its scopes and parts; `make` takes the missing items and
    returns their values by item. Two cache round trips for a whole page of rows.
    """
    try:
        all_scopes = {s for scopes, _ in items.values() for s in scopes}
        current = tokens(all_scopes)
        keys = {
            item: _key_from(name, {s: current[s] for s in [*scopes, EVERYTHING]}, parts)
            for item, (scopes, parts) in items.items()
        }
        found = cache.get_many(list(keys.values()))
    except Exception:
        logger.exception("The cache failed: %s is computed without it", name)
        return make(list(items))
    result = {item: found[k][0] for item, k in keys.items() if k in found}
    missing = [item for item in items if item not in result]
    if missing:
        made = make(missing)
        result.update(made)
        try:
            cache.set_many({keys[item]: (made[item],) for item in missing}, VALUE_TIMEOUT)
        except Exception:
            logger.exception("The cache failed: %s is not kept", name)
    return result


def _key_from(name: str, current: dict[str, str], parts: tuple) -> str:
    text = repr((fingerprint(), sorted(current.items()), parts))
    return f"{PREFIX}:{name}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"
