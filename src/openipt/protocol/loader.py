"""Load and validate the YAML content files that hold what IPT is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .errors import ProtocolContentError

CONTENT_DIR = Path(__file__).parent / "content"

SourceTag = Annotated[str, StringConstraints(pattern=r"^S\d+$")]
Sources = Annotated[tuple[SourceTag, ...], Field(min_length=1)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class Entry(BaseModel):
    """Base for every content entry: unknown fields are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourcedText(Entry):
    """A sentence of content with the source tags it came from."""

    text: Text
    sources: Sources


M = TypeVar("M", bound=BaseModel)


def load_content(path: str | Path, model: type[M]) -> M:
    """Load one YAML file into ``model``; raise ProtocolContentError naming file and entry."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProtocolContentError(f"{path.name}: cannot read YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ProtocolContentError(f"{path.name}: the top level must be a mapping.")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ProtocolContentError(_describe(path.name, raw, exc)) from exc


def content_path(name: str) -> Path:
    """Return the path of a bundled content file."""
    return CONTENT_DIR / name


def _describe(filename: str, raw: dict[str, Any], exc: ValidationError) -> str:
    """Name the file, the entry (by its id or code) and the field of each error."""
    lines = [f"{filename}: invalid content"]
    for error in exc.errors():
        loc = error["loc"]
        lines.append(f"  - {_entry_name(raw, loc)}: {'.'.join(map(str, loc))}: {error['msg']}")
    return "\n".join(lines)


def _entry_name(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """Return "entry 'code'" for the top-level list item an error points into."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        items = raw.get(str(loc[0]))
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            item = items[loc[1]]
            key = item.get("id") or item.get("code")
            if key:
                return f"entry '{key}'"
        return f"entry {loc[0]}[{loc[1]}]"
    return f"section '{loc[0]}'" if loc else "file"
