"""Validating what relates editions: transition files (`kind: transition`) and a standard's
`replaces` block. Each rule of `catalog_editions.check_transition` and `check_replaces` is
broken once, in a copy of two made-up editions and their transition
(tests/standards/editions_factories.py); every problem names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdca.standards.catalog_files import Problem
from pdca.standards.services import validate_catalogs
from tests.standards.editions_factories import (
    LINES,
    NEW,
    OLD,
    TRANSITION_FILE,
    new_catalog,
    old_catalog,
    write,
)

pytestmark = pytest.mark.usefixtures("catalog")

Line = tuple[str | None, str | None, str, str]


def render(lines: list[Line], *, source: str = OLD, target: str = NEW) -> tuple[str, list[dict]]:
    """A transition file in a fixed layout, and for each item the line of its start and of each
    key (so that expected lines are read off the text, not counted by hand)."""
    out = ["format: 1", "kind: transition", f"source: {source}", f"target: {target}", "mappings:"]
    where = []
    for a, b, relation, note in lines:
        keys: dict[str, int] = {}
        for key, value in (("source", a), ("target", b), ("relation", relation), ("note", note)):
            if value:
                keys[key] = len(out) + 1
                prefix = "  - " if len(keys) == 1 else "    "
                out.append(f'{prefix}{key}: "{value}"')
        where.append({"line": min(keys.values()), **keys})
    return "\n".join(out) + "\n", where


def check(tmp_path: Path, lines: list[Line], **files) -> tuple[list[Problem], str, list[dict]]:
    text, where = render(lines, **files)
    path = tmp_path / TRANSITION_FILE
    path.write_text(text, encoding="utf-8")
    paths = [
        write(tmp_path / f"{OLD}.yaml", old_catalog()),
        write(tmp_path / f"{NEW}.yaml", new_catalog()),
        path,
    ]
    return validate_catalogs(paths), str(path), where


def test_the_made_up_editions_and_their_transition_are_valid(tmp_path):
    problems, _, _ = check(tmp_path, list(LINES))
    assert problems == []


def _set(index: int, **changes) -> list[Line]:
    lines = list(LINES)
    a, b, relation, note = lines[index]
    values = {"a": a, "b": b, "relation": relation, "note": note} | changes
    lines[index] = (values["a"], values["b"], values["relation"], values["note"])
    return lines


def _without(*indexes: int) -> list[Line]:
    return [line for i, line in enumerate(LINES) if i not in indexes]


# (the broken lines, the message, where: (index of the item, key) or "mappings")
ITEM_RULES = [
    pytest.param(
        _set(0, relation="equivalent"),
        "mapping 4 -> 4: relation 'equivalent' is for crosswalks; a transition uses same, moved, "
        "split, merged, changed, new or removed",
        (0, None),
        id="crosswalk-relation",
    ),
    pytest.param(
        _set(8, a="6.1.4"),
        "mapping 6.1.4 -> 6.3: a new requirement has no source",
        (8, None),
        id="new-with-source",
    ),
    pytest.param(
        _set(17, b="10.2"),
        "mapping 10.1 -> 10.2: a removed requirement has no target",
        (17, None),
        id="removed-with-target",
    ),
    pytest.param(
        _set(1, a=None), "mapping — -> 4.1: changed needs a source", (1, None), id="no-source"
    ),
    pytest.param(
        _set(1, b=None), "mapping 4.1 -> —: changed needs a target", (1, None), id="no-target"
    ),
    pytest.param(
        _set(2, a="4.9"),
        f"mapping 4.9 -> 4.2: {OLD} has no requirement 4.9",
        (2, "source"),
        id="unknown-old-number",
    ),
    pytest.param(
        _set(2, b="4.9"),
        f"mapping 4.2 -> 4.9: {NEW} has no requirement 4.9",
        (2, "target"),
        id="unknown-new-number",
    ),
    pytest.param(
        _set(18, b="6.3"),
        "mapping 10.2 -> 6.3: same keeps the number; use moved for a new number",
        (18, None),
        id="same-renumbered",
    ),
    pytest.param(
        _set(6, b="6.1.4"),
        "mapping 6.1.4 -> 6.1.4: moved changes the number; use same",
        (6, None),
        id="moved-same-number",
    ),
    pytest.param(
        _set(8, note=""),
        "mapping — -> 6.3: a new line needs a note saying what is new",
        (8, None),
        id="new-without-note",
    ),
    pytest.param(
        _set(1, note=""),
        "mapping 4.1 -> 4.1: a changed line needs a note saying what changed",
        (1, None),
        id="changed-without-note",
    ),
    pytest.param(
        _set(14, note=""),
        "mapping 9.3 -> 9.3.1: a split line needs a note saying what changed",
        (14, None),
        id="split-without-note",
    ),
    pytest.param(
        _set(10, note=""),
        "mapping 8.1 -> 8.1: a merged line needs a note saying what changed",
        (10, None),
        id="merged-without-note",
    ),
]


@pytest.mark.parametrize(("lines", "message", "at"), ITEM_RULES)
def test_each_broken_line_is_reported_at_its_line(tmp_path, lines, message, at):
    problems, path, where = check(tmp_path, lines)
    index, key = at
    line = where[index][key] if key else where[index]["line"]
    assert Problem(path, line, message) in problems, problems


def test_a_duplicate_line_names_the_first(tmp_path):
    problems, path, where = check(tmp_path, [*LINES, LINES[2]])
    first, again = where[2]["line"], where[-1]["line"]
    assert problems == [
        Problem(path, again, f"mapping 4.2 -> 4.2: duplicate line (first at line {first})")
    ]


# Rules about a requirement across lines are reported at `mappings:`.
REQUIREMENT_RULES = [
    pytest.param(
        _without(13, 15),
        f"requirement 9.3 of {OLD} is split but has only one target",
        id="split-into-one",
    ),
    pytest.param(
        [*LINES, ("10.1", "10.2", "changed", "Also here.")],
        f"requirement 10.1 of {OLD} is removed and also mapped",
        id="removed-and-mapped",
    ),
    pytest.param(
        _without(11),
        f"requirement 8.1 of {NEW} is merged from only one source",
        id="merged-from-one",
    ),
    pytest.param(
        [*LINES, ("6.1.1", "6.1.4", "split", "Part of 6.1.1.")],
        f"requirement 6.1.4 of {NEW} is new and also mapped from {OLD}",
        id="new-and-mapped",
    ),
    pytest.param(
        _without(16),
        f"requirement 10 of {OLD} is not mapped (use removed if it went)",
        id="old-not-covered",
    ),
    pytest.param(
        _without(16),
        f"requirement 10 of {NEW} is not mapped (use new if it is new)",
        id="new-not-covered",
    ),
]


@pytest.mark.parametrize(("lines", "message"), REQUIREMENT_RULES)
def test_each_requirement_rule_is_reported_at_the_mappings_key(tmp_path, lines, message):
    problems, path, _ = check(tmp_path, lines)
    assert Problem(path, 5, message) in problems, problems


def test_a_missing_line_reports_both_editions_uncovered_requirements_and_nothing_else(tmp_path):
    problems, path, _ = check(tmp_path, _without(16))
    assert problems == [
        Problem(path, 5, f"requirement 10 of {OLD} is not mapped (use removed if it went)"),
        Problem(path, 5, f"requirement 10 of {NEW} is not mapped (use new if it is new)"),
    ]


@pytest.mark.parametrize(
    ("side", "line"),
    [("source", 3), ("target", 4)],
)
def test_an_unknown_edition_is_reported_at_its_key(tmp_path, side, line):
    problems, path, _ = check(tmp_path, list(LINES), **{side: "demo-ems-1999"})
    assert problems == [Problem(path, line, f"unknown {side} standard 'demo-ems-1999'")]


def test_a_crosswalk_file_may_not_use_a_transition_relation(tmp_path):
    path = tmp_path / "crosswalk.yaml"
    path.write_text(
        f"format: 1\nsource: {OLD}\ntarget: {NEW}\nmappings:\n"
        '  - source: "4"\n    target: "4"\n    relation: same\n',
        encoding="utf-8",
    )
    paths = [
        write(tmp_path / f"{OLD}.yaml", old_catalog()),
        write(tmp_path / f"{NEW}.yaml", new_catalog()),
        path,
    ]
    assert validate_catalogs(paths) == [
        Problem(
            str(path),
            5,
            "mapping 4: relation 'same' is for transition files (kind: transition); a crosswalk "
            "uses equivalent, related or partial",
        )
    ]


# --- replaces -----------------------------------------------------------------------------------


def _line_with(text: str, needle: str) -> int:
    (found,) = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found


def _standards(tmp_path: Path, new: dict, *more: dict) -> list[Path]:
    paths = [
        write(tmp_path / f"{OLD}.yaml", old_catalog()),
        write(tmp_path / f"{NEW}.yaml", new),
    ]
    for i, data in enumerate(more):
        paths.append(write(tmp_path / f"more-{i}.yaml", data))
    return paths


@pytest.mark.parametrize(
    ("replaced", "message"),
    [
        (NEW, "a standard cannot replace itself"),
        ("demo-ems-1999", "replaces unknown standard 'demo-ems-1999'"),
    ],
)
def test_replaces_must_name_another_known_standard(tmp_path, replaced, message):
    data = new_catalog()
    data["standard"]["replaces"]["standard"] = replaced
    paths = _standards(tmp_path, data)
    text = paths[1].read_text(encoding="utf-8")
    assert validate_catalogs(paths) == [
        Problem(str(paths[1]), _line_with(text, f"    standard: {replaced}"), message)
    ]


def test_an_edition_is_replaced_by_one_edition_only(tmp_path):
    third = new_catalog()
    third["standard"]["code"] = "demo-ems-2030"
    third["standard"]["edition"] = "2030"
    paths = _standards(tmp_path, new_catalog(), third)
    text = paths[2].read_text(encoding="utf-8")
    assert validate_catalogs(paths) == [
        Problem(
            str(paths[2]),
            _line_with(text, f"    standard: {OLD}"),
            f"{OLD} is already replaced by {NEW}",
        )
    ]


def test_new_certificates_cannot_end_after_the_transition(tmp_path):
    data = new_catalog()
    data["standard"]["replaces"]["new_certificates_until"] = "2030-01-01"
    paths = _standards(tmp_path, data)
    text = paths[1].read_text(encoding="utf-8")
    assert validate_catalogs(paths) == [
        Problem(
            str(paths[1]),
            _line_with(text, "new_certificates_until:"),
            "new_certificates_until is after transition_ends",
        )
    ]


def test_a_replaces_block_needs_the_transition_end_and_a_note(tmp_path):
    data = new_catalog()
    del data["standard"]["replaces"]["transition_ends"]
    paths = _standards(tmp_path, data)
    problems = validate_catalogs(paths)
    assert len(problems) == 1
    assert problems[0].file == str(paths[1])
    assert "transition_ends" in problems[0].message
