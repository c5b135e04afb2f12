"""Key files shared by the field-encryption keys (core.crypto) and the audit keys (audit.keys).

One home for how a key file is read, replaced and watched: one key a line, blank lines and
# comments ignored, written atomically readable by the owner only, and re-read when the
environment's keys or the file (its time, size or inode) change.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def read_keys(path: Path) -> list[str]:
    """Return the keys in the file, in order."""
    lines = path.read_text(encoding="ascii").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def write_keys(path: Path, keys: Sequence[str], header: str) -> None:
    """Replace the file atomically with the header and these keys, mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(header + "\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def source_signature(environment: Sequence[str], path: Path) -> tuple[object, ...]:
    """Return what the keys were read from; a different value means read them again."""
    if environment:
        return ("env", tuple(environment))
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ("missing", str(path))
    return ("file", str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
