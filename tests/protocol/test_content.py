"""Content files load, and malformed content fails loudly with file and entry named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openipt.protocol.errors import ProtocolContentError
from openipt.protocol.formats import FormatsFile, all_formats
from openipt.protocol.groups import ProgrammesFile
from openipt.protocol.loader import CONTENT_DIR, load_content
from openipt.protocol.phases import PhasesFile, all_tasks
from openipt.protocol.problem_areas import ProblemAreasFile, all_areas, all_dispute_stages
from openipt.protocol.techniques import TechniquesFile, all_techniques

FILES = {
    "formats.yaml": FormatsFile,
    "group_programmes.yaml": ProgrammesFile,
    "phases.yaml": PhasesFile,
    "problem_areas.yaml": ProblemAreasFile,
    "techniques.yaml": TechniquesFile,
}

GOOD_FORMAT = """\
formats:
  - code: tiny
    name: Tiny
    description: A test format.
    phase_model: acute
    typical_sessions: {min: 4, max: 6}
    allowed_sessions: {min: 2, max: 8}
    default_sessions: 6
    default_frequency: weekly
    allowed_frequencies: [weekly]
    engagement_session: false
    initial_sessions: 1
    termination_sessions: 1
    raise_ending_when_remaining: 2
    sick_role: full
    sources: [S1]
"""


def write(tmp_path: Path, text: str, name: str = "formats.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(FILES))
def test_it_loads_every_bundled_content_file(name: str) -> None:
    loaded = load_content(CONTENT_DIR / name, FILES[name])
    assert loaded is not None


def test_it_gives_every_entry_a_source_tag() -> None:
    entries = [*all_formats(), *all_tasks(), *all_areas(), *all_dispute_stages()]
    entries += all_techniques()
    for entry in entries:
        assert entry.sources, entry
        assert all(re.fullmatch(r"S\d+", tag) for tag in entry.sources)


def test_it_cites_only_tags_that_exist_in_the_source_index() -> None:
    from openipt.protocol.sources import all_sources

    known = set(all_sources())
    for path in CONTENT_DIR.glob("*.yaml"):
        if path.name == "sources.yaml":
            continue  # the index itself
        cited = set(re.findall(r"\bS\d+\b", path.read_text(encoding="utf-8")))
        assert cited <= known, (path.name, cited - known)


def test_its_source_index_is_the_domain_notes_index() -> None:
    from openipt.protocol.sources import all_sources

    index = Path("/work/shared/domain/ipt.md")
    if not index.exists():
        pytest.skip("the domain reference is not available here")
    text = index.read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| (S\d+) \| (.*?) \| (.*?) \|\s*$", text[text.index("Source index") :], re.M
    )
    assert rows
    for tag, title, address in rows:
        assert (all_sources()[tag].title, all_sources()[tag].address) == (title, address)


def test_it_loads_a_well_formed_temp_file(tmp_path: Path) -> None:
    loaded = load_content(write(tmp_path, GOOD_FORMAT), FormatsFile)
    assert loaded.formats[0].code == "tiny"


def test_it_refuses_an_entry_without_sources_naming_file_and_entry(tmp_path: Path) -> None:
    text = GOOD_FORMAT.replace("    sources: [S1]\n", "")
    with pytest.raises(ProtocolContentError) as caught:
        load_content(write(tmp_path, text), FormatsFile)
    message = str(caught.value)
    assert "formats.yaml" in message
    assert "entry 'tiny'" in message
    assert "sources" in message


def test_it_refuses_an_empty_sources_list(tmp_path: Path) -> None:
    text = GOOD_FORMAT.replace("sources: [S1]", "sources: []")
    with pytest.raises(ProtocolContentError, match="entry 'tiny'"):
        load_content(write(tmp_path, text), FormatsFile)


def test_it_refuses_a_malformed_source_tag(tmp_path: Path) -> None:
    text = GOOD_FORMAT.replace("sources: [S1]", "sources: [Weissman]")
    with pytest.raises(ProtocolContentError, match="sources"):
        load_content(write(tmp_path, text), FormatsFile)


def test_it_refuses_unknown_fields(tmp_path: Path) -> None:
    text = GOOD_FORMAT + "    colour: blue\n"
    with pytest.raises(ProtocolContentError, match="colour"):
        load_content(write(tmp_path, text), FormatsFile)


def test_it_refuses_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(ProtocolContentError, match=r"broken\.yaml: cannot read YAML"):
        load_content(write(tmp_path, "formats: [\n  - {", "broken.yaml"), FormatsFile)


def test_it_refuses_a_top_level_list(tmp_path: Path) -> None:
    with pytest.raises(ProtocolContentError, match="top level must be a mapping"):
        load_content(write(tmp_path, "- 1\n- 2\n"), FormatsFile)


def test_it_refuses_a_default_outside_the_allowed_range(tmp_path: Path) -> None:
    text = GOOD_FORMAT.replace("default_sessions: 6", "default_sessions: 9")
    with pytest.raises(ProtocolContentError, match="default_sessions is outside"):
        load_content(write(tmp_path, text), FormatsFile)


def test_it_refuses_a_boolean_where_a_count_belongs(tmp_path: Path) -> None:
    text = GOOD_FORMAT.replace("initial_sessions: 1", "initial_sessions: true")
    with pytest.raises(ProtocolContentError, match="initial_sessions"):
        load_content(write(tmp_path, text), FormatsFile)


def test_it_refuses_a_task_without_sources(tmp_path: Path) -> None:
    text = (
        "tasks:\n  - id: do_it\n    phase: initial\n    label: Do it\n"
        "    guidance: Do it.\n    required: true\n"
    )
    with pytest.raises(ProtocolContentError, match=r"phases\.yaml.*\n.*entry 'do_it'.*sources"):
        load_content(write(tmp_path, text, "phases.yaml"), PhasesFile)


def test_it_refuses_a_strategy_without_sources(tmp_path: Path) -> None:
    text = (CONTENT_DIR / "problem_areas.yaml").read_text(encoding="utf-8")
    broken = text.replace(
        "      - text: Encourage telling others about the experience.\n        sources: [S45]\n",
        "      - text: Encourage telling others about the experience.\n",
    )
    assert broken != text
    with pytest.raises(ProtocolContentError, match=r"entry 'grief'.*strategies\.1\.sources"):
        load_content(write(tmp_path, broken, "problem_areas.yaml"), ProblemAreasFile)


def test_it_refuses_an_area_file_missing_an_area(tmp_path: Path) -> None:
    text = (CONTENT_DIR / "problem_areas.yaml").read_text(encoding="utf-8")
    broken = text.replace("  - code: grief\n", "  - code: sorrow\n", 1)
    with pytest.raises(ProtocolContentError, match="entry 'sorrow'"):
        load_content(write(tmp_path, broken, "problem_areas.yaml"), ProblemAreasFile)


def test_it_refuses_unknown_technique_ids_in_suggestions(tmp_path: Path) -> None:
    text = (CONTENT_DIR / "techniques.yaml").read_text(encoding="utf-8")
    broken = text.replace("ids: [decision_analysis, work_at_home]", "ids: [hypnosis]")
    with pytest.raises(ProtocolContentError, match="unknown technique ids: hypnosis"):
        load_content(write(tmp_path, broken, "techniques.yaml"), TechniquesFile)
