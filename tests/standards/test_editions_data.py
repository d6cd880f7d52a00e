"""The shipped transition files, read straight from the files and as loaded: each covers every
requirement of both editions, joins editions that the catalog relates with `replaces`, and
shows as a comparison. Not vacuous: at least one transition is shipped."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from pdca.core.testing.api_bundle import login
from pdca.standards.catalog_files import CATALOG_DIR
from pdca.standards.editions import selectors as editions
from pdca.standards.models import EditionMapping, Standard

pytestmark = pytest.mark.usefixtures("catalog")


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def transition_files() -> list[Path]:
    return [
        path
        for path in sorted((CATALOG_DIR / "mappings").glob("*.yaml"))
        if _read(path).get("kind") == "transition"
    ]


def standard_file(code: str) -> dict:
    (found,) = [
        data
        for path in sorted(CATALOG_DIR.glob("*.yaml"))
        if isinstance(data := _read(path), dict) and data.get("standard", {}).get("code") == code
    ]
    return found


TRANSITIONS = transition_files()


def test_at_least_one_transition_is_shipped():
    assert TRANSITIONS, "no shipped mapping file has kind: transition"
    assert {p.name for p in TRANSITIONS} >= {
        "iso14001-2015--iso14001-2026.yaml",
        "iso9001-2015--iso9001-2026.yaml",
    }


@pytest.mark.parametrize("path", TRANSITIONS, ids=lambda p: p.name)
def test_every_requirement_of_both_editions_is_covered(path):
    data = _read(path)
    old_numbers = {r["number"] for r in standard_file(data["source"])["requirements"]}
    new_numbers = {r["number"] for r in standard_file(data["target"])["requirements"]}
    assert old_numbers and new_numbers
    sources = {m["source"] for m in data["mappings"] if m.get("source")}
    targets = {m["target"] for m in data["mappings"] if m.get("target")}
    assert sources <= old_numbers, f"unknown old numbers: {sorted(sources - old_numbers)}"
    assert targets <= new_numbers, f"unknown new numbers: {sorted(targets - new_numbers)}"
    assert old_numbers - sources == set(), "old requirements not mapped"
    assert new_numbers - targets == set(), "new requirements not mapped"


@pytest.mark.parametrize("path", TRANSITIONS, ids=lambda p: p.name)
def test_each_line_is_consistent_with_its_change(path):
    data = _read(path)
    by_old: dict[str, list[str]] = defaultdict(list)
    by_new: dict[str, list[str]] = defaultdict(list)
    for m in data["mappings"]:
        a, b, change = m.get("source"), m.get("target"), m["relation"]
        assert (a is None) == (change == "new"), m
        assert (b is None) == (change == "removed"), m
        if change == "same":
            assert a == b, m
        if change == "moved":
            assert a != b, m
        if change in {"new", "changed", "split", "merged"}:
            assert m.get("note", "").strip(), f"{change} line without a note: {m}"
        if a:
            by_old[a].append(change)
        if b:
            by_new[b].append(change)
    for number, changes in by_old.items():
        if "split" in changes:
            assert len(changes) >= 2, f"{number} split into one"
    for number, changes in by_new.items():
        if "merged" in changes:
            assert len(changes) >= 2, f"{number} merged from one"


@pytest.mark.parametrize("path", TRANSITIONS, ids=lambda p: p.name)
def test_the_new_edition_replaces_the_old_and_the_loaded_lines_match_the_file(path):
    data = _read(path)
    new = Standard.objects.get(code=data["target"])
    assert new.replaces is not None and new.replaces.code == data["source"]
    assert new.transition_ends is not None
    loaded = EditionMapping.objects.filter(
        old_standard__code=data["source"], new_standard__code=data["target"]
    )
    assert loaded.count() == len(data["mappings"])
    diff = editions.diff_by_codes(data["source"], data["target"])
    assert diff.total == len(data["mappings"])
    assert sum(diff.counts.values()) == diff.total


@pytest.mark.parametrize("path", TRANSITIONS, ids=lambda p: p.name)
def test_the_comparison_page_shows_every_line(client, personas, path):
    data = _read(path)
    login(client, personas.employee)
    response = client.get(f"/standards/{data['source']}/to/{data['target']}/")
    assert response.status_code == 200
    assert response.content.decode().count('<tr class="change-row-') == len(data["mappings"])


def test_every_provisional_standard_says_why():
    for standard in Standard.objects.filter(provisional=True):
        assert standard.provisional_note.strip(), standard.code


def test_iso9001_2026_is_provisional_and_iso14001_2026_replaces_the_2015_edition():
    assert Standard.objects.get(code="iso9001-2026").provisional is True
    iso14001 = Standard.objects.get(code="iso14001-2026")
    assert iso14001.replaces == Standard.objects.get(code="iso14001-2015")
    assert Standard.objects.get(code="iso14001-2015").full_name == "ISO 14001:2015+A1:2024"
