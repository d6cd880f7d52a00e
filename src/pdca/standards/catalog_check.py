"""Checking catalog files against each other and against what is already loaded: core ids,
standard codes, requirement numbers, editions and mappings."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pdca.standards.catalog_editions import (
    check_crosswalk_items,
    check_replaces,
    check_transition,
)
from pdca.standards.catalog_files import (
    CORE_FILE,
    CatalogFile,
    Problem,
    _items,
    check_core,
    check_mapping,
    check_standard,
    read_file,
)


def _known_core_ids() -> set[str]:
    from pdca.standards.models import CoreClause

    ids = set(CoreClause.objects.values_list("number", flat=True))
    if not ids:
        shipped = read_file(CORE_FILE)
        ids = {c["id"] for c in _items(shipped.data, "core") if isinstance(c.get("id"), str)}
    return ids


def _known_standards() -> dict[str, set[str]]:
    from pdca.standards.models import Requirement

    known: dict[str, set[str]] = {}
    for code, number in Requirement.objects.values_list("standard__code", "number"):
        known.setdefault(code, set()).add(number)
    return known


def read_and_check(paths: Iterable[Path | str]) -> list[CatalogFile]:
    """Read every file and check each against the others and what is already loaded."""
    files = [read_file(p) for p in paths]
    cores = [f for f in files if f.kind == "core" and isinstance(f.data, dict)]
    for f in cores:
        check_core(f)
    core_ids = (
        {c["id"] for f in cores for c in _items(f.data, "core") if isinstance(c.get("id"), str)}
        if cores
        else _known_core_ids()
    )
    standards = _known_standards()
    for f in files:
        if f.kind == "standard" and isinstance(f.data, dict):
            check_standard(f, core_ids)
            code = (
                f.data.get("standard", {}).get("code")
                if isinstance(f.data.get("standard"), dict)
                else None
            )
            if isinstance(code, str):
                standards[code] = {
                    r["number"]
                    for r in _items(f.data, "requirements")
                    if isinstance(r.get("number"), str)
                }
    check_replaces(files, standards)
    for f in files:
        if f.kind == "mapping" and isinstance(f.data, dict) and not f.problems:
            if f.data.get("kind") == "transition":
                check_transition(f, standards)
            else:
                check_crosswalk_items(f)
                check_mapping(f, standards)
    codes: dict[str, str] = {}
    for f in files:
        if (
            f.kind == "standard"
            and isinstance(f.data, dict)
            and isinstance(f.data.get("standard"), dict)
        ):
            code = f.data["standard"].get("code")
            if isinstance(code, str):
                if code in codes:
                    f.problems.append(
                        Problem(
                            str(f.path),
                            f.data["standard"].lines.get("code", 1),
                            f"standard {code} is also defined in {codes[code]}",
                        )
                    )
                codes.setdefault(code, str(f.path))
    return files
