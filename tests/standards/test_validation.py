"""Validating catalog files: every problem is reported with its file, line and message.

Each bad file is a copy of a shipped catalog with one thing broken; the expected line is found
in the broken text itself, so the tests follow the shipped files when they are edited.
"""

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from pdca.standards.catalog_files import CATALOG_DIR, SCHEMA_DIR, Problem, shipped_files
from pdca.standards.services import validate_catalogs

pytestmark = pytest.mark.usefixtures("catalog")

EMS = "iso14001-2015.yaml"
AIMS = "iso42001-2023.yaml"
MAPPING = "mappings/iso27001-2022--iso42001-2023.yaml"


def shipped(name: str) -> str:
    return (CATALOG_DIR / name).read_text(encoding="utf-8")


def line_of(text: str, needle: str, *, whole: bool = False) -> int:
    """The 1-based line of the only line of `text` containing `needle` (or equal to it)."""
    lines = [
        i
        for i, line in enumerate(text.splitlines(), start=1)
        if (line == needle if whole else needle in line)
    ]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def broken(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, str]:
    """A copy of a shipped file with `old` (which must occur exactly once) replaced by `new`."""
    text = shipped(name)
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path = tmp_path / Path(name).name
    path.write_text(text, encoding="utf-8")
    return path, text


def problems_of(*paths: Path) -> list[Problem]:
    return validate_catalogs(paths)


# --- what is accepted -------------------------------------------------------------------------


def test_every_shipped_file_validates_without_a_problem():
    files = shipped_files()
    assert [f.name for f in files] == [
        "harmonized-structure.yaml",
        "iso14001-2015.yaml",
        "iso14001-2026.yaml",
        "iso22000-2018.yaml",
        "iso22301-2019.yaml",
        "iso27001-2022.yaml",
        "iso42001-2023.yaml",
        "iso45001-2018.yaml",
        "iso9001-2015.yaml",
        "iso9001-2026.yaml",
        "iso14001-2015--iso14001-2026.yaml",
        "iso27001-2022--iso42001-2023.yaml",
        "iso9001-2015--iso9001-2026.yaml",
    ]
    assert problems_of(*files) == []


def test_an_unchanged_copy_validates_on_its_own(tmp_path):
    path = tmp_path / EMS
    path.write_text(shipped(EMS), encoding="utf-8")
    assert problems_of(path) == []


@pytest.mark.parametrize("name", ["catalog", "core", "mapping"])
def test_the_shipped_json_schemas_are_valid_draft_2020_12_schemas(name):
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


# --- one fault per file -----------------------------------------------------------------------


def test_a_requirement_without_a_title_is_reported_on_its_first_line(tmp_path):
    path, text = broken(tmp_path, EMS, "    title: Planning action\n", "")
    assert problems_of(path) == [
        Problem(str(path), line_of(text, '- number: "6.1.4"'), "requirement 6.1.4: missing title")
    ]


def test_a_missing_field_of_the_standard_names_the_standard(tmp_path):
    path, text = broken(tmp_path, EMS, "  name: ISO 14001\n", "")
    assert problems_of(path) == [
        Problem(str(path), line_of(text, "standard:"), "standard: missing name")
    ]


def test_a_duplicate_number_names_the_line_of_the_first(tmp_path):
    path, text = broken(tmp_path, EMS, '  - number: "6.1.4"\n', '  - number: "6.1.3"\n')
    first, second = [
        i for i, line in enumerate(text.splitlines(), 1) if line == '  - number: "6.1.3"'
    ]
    assert problems_of(path) == [
        Problem(str(path), second, f"duplicate number 6.1.3 (first at line {first})")
    ]


def test_a_parent_that_is_not_in_the_file_is_reported(tmp_path):
    old = '    parent: "6.1"\n    title: Planning action\n'
    path, text = broken(tmp_path, EMS, old, '    parent: "6.9"\n    title: Planning action\n')
    assert problems_of(path) == [
        Problem(str(path), line_of(text, 'parent: "6.9"'), "requirement 6.1.4: unknown parent 6.9")
    ]


def test_an_unknown_field_is_reported_by_name(tmp_path):
    old = "    title: Planning action\n"
    path, text = broken(tmp_path, EMS, old, old + "    colour: green\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "colour: green"),
            "requirement 6.1.4: unknown field 'colour'",
        )
    ]


def test_unknown_fields_are_reported_at_every_level(tmp_path):
    path, text = broken(tmp_path, EMS, "  publisher: ISO\n", "  publisher: ISO\n  owner: us\n")
    text = text.replace("format: 1\n", "format: 1\nversion: 2\n")
    path.write_text(text, encoding="utf-8")
    assert problems_of(path) == [
        Problem(str(path), line_of(text, "version: 2"), "unknown field 'version'"),
        Problem(str(path), line_of(text, "owner: us"), "standard: unknown field 'owner'"),
    ]


def test_a_kind_outside_the_enumeration_lists_the_allowed_kinds(tmp_path):
    old = "    title: Planning action\n    kind: clause\n"
    path, text = broken(tmp_path, EMS, old, "    title: Planning action\n    kind: clauses\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "kind: clauses"),
            "requirement 6.1.4: wrong kind 'clauses': use one of clause, control",
        )
    ]


def test_a_control_without_a_group_is_reported(tmp_path):
    old = "  - number: A.2.2\n    kind: control\n    group: A.2\n"
    path, text = broken(tmp_path, AIMS, old, "  - number: A.2.2\n    kind: control\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "- number: A.2.2"),
            "requirement A.2.2: a control needs a group",
        )
    ]


def test_a_control_naming_an_undeclared_group_is_reported(tmp_path):
    old = "  - number: A.2.2\n    kind: control\n    group: A.2\n"
    new = "  - number: A.2.2\n    kind: control\n    group: A.0\n"
    path, text = broken(tmp_path, AIMS, old, new)
    assert problems_of(path) == [
        Problem(str(path), line_of(text, "group: A.0"), "requirement A.2.2: unknown group A.0")
    ]


def test_a_clause_with_a_group_is_reported(tmp_path):
    old = "    title: Planning action\n    kind: clause\n"
    path, text = broken(tmp_path, EMS, old, old + "    group: A.5\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "group: A.5"),
            "requirement 6.1.4: wrong kind: a clause has no group (controls do)",
        )
    ]


def test_a_core_id_outside_the_harmonized_structure_is_reported(tmp_path):
    path, text = broken(tmp_path, EMS, '    core: "7.3"\n', '    core: "7.9"\n')
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, 'core: "7.9"'),
            "requirement 7.3: bad core id '7.9': not a Harmonized Structure clause",
        )
    ]


@pytest.mark.parametrize(
    ("old", "written"),
    [
        ('  - number: "10.3"\n', "10.3"),
        # Regression: 6.10 reads as the float 6.1; the message must quote what was written.
        ('  - number: "6.1.4"\n', "6.10"),
    ],
)
def test_an_unquoted_number_must_be_quoted_as_written(tmp_path, old, written):
    path, text = broken(tmp_path, EMS, old, f"  - number: {written}\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, f"- number: {written}\n".strip()),
            f'requirement {written}: number: {written} must be a quoted string (write "{written}")',
        )
    ]


def test_an_unquoted_parent_number_does_not_also_orphan_its_children(tmp_path):
    # Regression: the children of an unquoted "10" were each reported as having an unknown parent.
    path, text = broken(tmp_path, EMS, '  - number: "10"\n', "  - number: 10\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "  - number: 10", whole=True),
            'requirement 10: number: 10 must be a quoted string (write "10")',
        )
    ]


def test_a_key_given_twice_is_reported_on_its_second_line(tmp_path):
    old = "    title: Planning action\n"
    path, text = broken(tmp_path, EMS, old, old + "    title: Action planning\n")
    assert problems_of(path) == [
        Problem(str(path), line_of(text, "title: Action planning"), "duplicate key 'title'")
    ]


# libyaml (used when PyYAML has it) and the pure-Python parser word this one differently.
MAPPING_VALUES = (
    "mapping values are not allowed in this context"
    if yaml.__with_libyaml__
    else "mapping values are not allowed here"
)


def test_invalid_yaml_syntax_is_reported_with_its_line(tmp_path):
    old = "    title: Planning action\n"
    path, text = broken(tmp_path, EMS, old, "    title: Planning: action: now\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "title: Planning: action"),
            f"not valid YAML: {MAPPING_VALUES}",
        )
    ]


@pytest.mark.parametrize("content", ["- format: 1\n", "just words\n", ""])
def test_a_file_that_is_not_a_mapping_is_reported_on_line_1(tmp_path, content):
    path = tmp_path / "list.yaml"
    path.write_text(content, encoding="utf-8")
    assert problems_of(path) == [
        Problem(str(path), 1, "the file must be a mapping with format, standard and requirements")
    ]


def test_a_file_that_cannot_be_read_is_reported(tmp_path):
    path = tmp_path / "missing.yaml"
    assert problems_of(path) == [Problem(str(path), 0, "cannot read: No such file or directory")]


# --- across files -----------------------------------------------------------------------------


def test_a_mapping_to_a_requirement_the_target_standard_lacks_is_reported(tmp_path):
    old = "  - source: A.5.1\n    target: A.2.2\n"
    new = "  - source: A.5.1\n    target: A.2.99\n"
    path, text = broken(tmp_path, MAPPING, old, new)
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "target: A.2.99"),
            "mapping A.5.1: iso42001-2023 has no requirement A.2.99",
        )
    ]


def test_a_mapping_from_a_requirement_the_source_standard_lacks_is_reported(tmp_path):
    old = "  - source: A.8.6\n"
    path, text = broken(tmp_path, MAPPING, old, "  - source: A.8.99\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "source: A.8.99"),
            "mapping A.8.99: iso27001-2022 has no requirement A.8.99",
        )
    ]


def test_a_mapping_file_naming_an_unknown_standard_is_reported(tmp_path):
    path, text = broken(tmp_path, MAPPING, "\ntarget: iso42001-2023\n", "\ntarget: iso42001-2099\n")
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(text, "target: iso42001-2099"),
            "unknown target standard 'iso42001-2099'",
        )
    ]


def test_a_mapping_may_name_a_requirement_of_a_standard_in_the_same_batch(tmp_path):
    ai, _ = broken(tmp_path, AIMS, "  - number: A.2.2\n", "  - number: A.2.20\n")
    mapping, _ = broken(tmp_path, MAPPING, "    target: A.2.2\n", "    target: A.2.20\n")
    assert problems_of(ai, mapping) == []
    # Without the new edition of the file, the database's requirements are what counts.
    assert [p.message for p in problems_of(mapping)] == [
        "mapping A.5.1: iso42001-2023 has no requirement A.2.20"
    ]


def test_two_files_defining_the_same_standard_are_reported_on_the_second(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(shipped(EMS), encoding="utf-8")
    second.write_text(shipped(EMS), encoding="utf-8")
    assert problems_of(first, second) == [
        Problem(
            str(second),
            line_of(shipped(EMS), "  code: iso14001-2015"),
            f"standard iso14001-2015 is also defined in {first}",
        )
    ]


# --- several faults ---------------------------------------------------------------------------


def test_every_problem_of_a_file_with_several_faults_is_reported(tmp_path):
    text = (
        shipped(EMS)
        .replace("    title: Planning action\n", "")
        .replace('    core: "7.3"\n', '    core: "7.9"\n')
        .replace('  - number: "10.3"\n', "  - number: 10.3\n")
        .replace("  discipline: environment\n", "  discipline: green\n")
    )
    path = tmp_path / EMS
    path.write_text(text, encoding="utf-8")
    name = str(path)
    assert problems_of(path) == [
        Problem(
            name,
            line_of(text, "discipline: green"),
            "discipline: 'green' is not one of "
            "quality, environment, ohs, information_security, ai, food_safety, "
            "business_continuity, other",
        ),
        Problem(name, line_of(text, '- number: "6.1.4"'), "requirement 6.1.4: missing title"),
        Problem(
            name,
            line_of(text, 'core: "7.9"'),
            "requirement 7.3: bad core id '7.9': not a Harmonized Structure clause",
        ),
        Problem(
            name,
            line_of(text, "- number: 10.3"),
            'requirement 10.3: number: 10.3 must be a quoted string (write "10.3")',
        ),
    ]


def test_problems_of_several_files_are_all_reported_sorted_by_file_and_line(tmp_path):
    ems, ems_text = broken(tmp_path, EMS, '    core: "7.3"\n', '    core: "7.9"\n')
    old = "    group: A.2\n    title: AI policy\n"
    ai, ai_text = broken(tmp_path, AIMS, old, "    title: AI policy\n")
    core_line = line_of(ems_text, 'core: "7.9"')
    control_line = line_of(ai_text, "- number: A.2.2")
    assert [str(p) for p in problems_of(ai, ems)] == [
        f"{ems}:{core_line}: requirement 7.3: bad core id '7.9': not a Harmonized Structure clause",
        f"{ai}:{control_line}: requirement A.2.2: a control needs a group",
    ]
