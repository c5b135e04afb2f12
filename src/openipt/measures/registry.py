"""Load instrument files and keep one registry of (code, version) -> definition.

A published version is never edited in place: the registry refuses a second, different
definition under the same code and version, and built-in files must match the hashes recorded
in `published.py`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

from openipt.measures.errors import InstrumentError
from openipt.measures.published import PUBLISHED_HASHES
from openipt.measures.schema import Instrument

BUILTIN_DIR = Path(__file__).parent / "instruments"
_FILE_NAME = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)-(?P<version>\d+(?:\.\d+)*)\.yaml$")


def load_instrument_file(path: str | Path) -> Instrument:
    """Read and validate one instrument file; raise InstrumentError naming file and field."""
    path = Path(path)
    source = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InstrumentError(source, [f"cannot read YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise InstrumentError(source, ["the file must hold a mapping of fields"])
    try:
        instrument = Instrument.model_validate(raw)
    except ValidationError as exc:
        raise InstrumentError(source, _describe(exc)) from exc
    match = _FILE_NAME.match(path.name)
    if match is None or (match["code"], match["version"]) != instrument.key:
        raise InstrumentError(
            source,
            [f"file name must be {instrument.code}-{instrument.version}.yaml (code-version)"],
        )
    return instrument


def _describe(exc: ValidationError) -> list[str]:
    """Turn pydantic errors into 'field.path: message' lines a maintainer can act on."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(instrument)"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}")
    return lines


class InstrumentRegistry:
    """Hold instrument definitions by code and version; refuse conflicting duplicates."""

    def __init__(self, instruments: Iterable[Instrument] = ()) -> None:
        self._by_key: dict[tuple[str, str], Instrument] = {}
        for instrument in instruments:
            self.add(instrument)

    def add(self, instrument: Instrument) -> Instrument:
        """Register a definition; the same content twice is fine, different content is not."""
        known = self._by_key.get(instrument.key)
        if known is not None and known.content_hash != instrument.content_hash:
            raise InstrumentError(
                f"{instrument.code} {instrument.version}",
                [
                    "a different definition is already registered under this code and version; "
                    "publish a new version instead of editing one in place"
                ],
            )
        recorded = PUBLISHED_HASHES.get(instrument.key)
        if recorded is not None and recorded != instrument.content_hash:
            raise InstrumentError(
                f"{instrument.code} {instrument.version}",
                ["content differs from the published hash; publish a new version instead"],
            )
        self._by_key[instrument.key] = instrument
        return instrument

    def get(self, code: str, version: str | None = None) -> Instrument:
        """Return one version, or the latest version when `version` is None."""
        if version is not None:
            try:
                return self._by_key[(code, version)]
            except KeyError:
                raise KeyError(f"unknown instrument {code} version {version}") from None
        versions = [inst for (c, _), inst in self._by_key.items() if c == code]
        if not versions:
            raise KeyError(f"unknown instrument {code}")
        return max(versions, key=lambda inst: _version_key(inst.version))

    def all(self) -> list[Instrument]:
        """Return every definition, ordered by code then version."""
        return sorted(self._by_key.values(), key=lambda i: (i.code, _version_key(i.version)))

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self.all())

    def __contains__(self, key: object) -> bool:
        return key in self._by_key


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def builtin_files() -> list[Path]:
    """Return the built-in instrument files, sorted by name."""
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def builtin_registry() -> InstrumentRegistry:
    """Build a fresh registry of the built-in instruments (not shared; safe to extend)."""
    return InstrumentRegistry(_builtin_instruments())


@functools.cache
def _builtin_instruments() -> tuple[Instrument, ...]:
    return tuple(load_instrument_file(path) for path in builtin_files())


@functools.cache
def default_registry() -> InstrumentRegistry:
    """Return the process-wide registry: built-ins plus whatever a service registers."""
    return builtin_registry()


def register_instrument(instrument_or_path: Instrument | str | Path) -> Instrument:
    """Add a service's own instrument (e.g. a licensed one) to the default registry."""
    instrument = (
        instrument_or_path
        if isinstance(instrument_or_path, Instrument)
        else load_instrument_file(instrument_or_path)
    )
    return default_registry().add(instrument)


def get_instrument(code: str, version: str | None = None) -> Instrument:
    """Return an instrument from the default registry; the latest version by default."""
    return default_registry().get(code, version)


def all_instruments() -> list[Instrument]:
    """Return every instrument in the default registry."""
    return default_registry().all()
