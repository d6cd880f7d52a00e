"""Checks of what relates editions: a standard's `replaces` block and transition mapping files.

A transition file maps every requirement of the old edition (`source`) to the new one
(`target`), so that an organization's work can be carried across without losing any of it:
each old requirement appears at least once as a source, each new one at least once as a target.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pdca.standards.catalog_files import CatalogFile, LineDict, Problem, _items

CROSSWALK = {"equivalent", "related", "partial"}
TRANSITION = {"same", "moved", "split", "merged", "changed", "new", "removed"}


def check_crosswalk_items(file: CatalogFile) -> None:
    """A crosswalk line relates two requirements: both sides and a crosswalk relation."""
    for item in _items(file.data, "mappings"):
        for side in ("source", "target"):
            if not item.get(side):
                _problem(file, item, f"mapping: {side} is required in a crosswalk")
        if item.get("relation") not in CROSSWALK:
            _problem(
                file,
                item,
                f"mapping {item.get('source')}: relation {item.get('relation')!r} is for "
                "transition files (kind: transition); a crosswalk uses equivalent, related or "
                "partial",
            )


def check_transition(file: CatalogFile, standards: dict[str, set[str]]) -> None:
    """Every line well formed, every number known, every requirement of both editions covered."""
    data = file.data
    src, dst = data.get("source"), data.get("target")
    old_numbers = standards.get(src, set()) if isinstance(src, str) else set()
    new_numbers = standards.get(dst, set()) if isinstance(dst, str) else set()
    for side, code in (("source", src), ("target", dst)):
        if isinstance(code, str) and code not in standards:
            file.problems.append(
                Problem(
                    str(file.path), data.lines.get(side, 1), f"unknown {side} standard {code!r}"
                )
            )
    if file.problems:
        return
    targets: dict[str, list[tuple[str, str]]] = defaultdict(list)
    sources: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: dict[tuple[Any, Any], int] = {}
    for item in _items(data, "mappings"):
        a, b, relation = item.get("source"), item.get("target"), item.get("relation")
        label = f"mapping {a or '—'} -> {b or '—'}"
        if relation not in TRANSITION:
            _problem(
                file,
                item,
                f"{label}: relation {relation!r} is for crosswalks; a transition uses same, "
                "moved, split, merged, changed, new or removed",
            )
            continue
        if relation == "new" and a:
            _problem(file, item, f"{label}: a new requirement has no source")
        if relation == "removed" and b:
            _problem(file, item, f"{label}: a removed requirement has no target")
        if relation != "new" and not a:
            _problem(file, item, f"{label}: {relation} needs a source")
        if relation != "removed" and not b:
            _problem(file, item, f"{label}: {relation} needs a target")
        if a and a not in old_numbers:
            _problem(file, item, f"{label}: {src} has no requirement {a}", "source")
        if b and b not in new_numbers:
            _problem(file, item, f"{label}: {dst} has no requirement {b}", "target")
        if relation == "same" and a and b and a != b:
            _problem(file, item, f"{label}: same keeps the number; use moved for a new number")
        if relation == "moved" and a and b and a == b:
            _problem(file, item, f"{label}: moved changes the number; use same")
        if relation == "new" and not item.get("note"):
            _problem(file, item, f"{label}: a new line needs a note saying what is new")
        if relation in {"changed", "split", "merged"} and not item.get("note"):
            _problem(file, item, f"{label}: a {relation} line needs a note saying what changed")
        if (a, b) in seen:
            _problem(file, item, f"{label}: duplicate line (first at line {seen[(a, b)]})")
        seen.setdefault((a, b), item.line)
        if a:
            targets[a].append((b or "", relation))
        if b:
            sources[b].append((a or "", relation))
    for a, lines in targets.items():
        if any(r == "split" for _, r in lines) and len(lines) < 2:
            _problem_at(file, f"requirement {a} of {src} is split but has only one target")
        if any(r == "removed" for _, r in lines) and len(lines) > 1:
            _problem_at(file, f"requirement {a} of {src} is removed and also mapped")
    for b, lines in sources.items():
        if any(r == "merged" for _, r in lines) and len(lines) < 2:
            _problem_at(file, f"requirement {b} of {dst} is merged from only one source")
        if any(r == "new" for _, r in lines) and len(lines) > 1:
            _problem_at(file, f"requirement {b} of {dst} is new and also mapped from {src}")
    for number in sorted(old_numbers - targets.keys()):
        _problem_at(file, f"requirement {number} of {src} is not mapped (use removed if it went)")
    for number in sorted(new_numbers - sources.keys()):
        _problem_at(file, f"requirement {number} of {dst} is not mapped (use new if it is new)")


def check_replaces(files: list[CatalogFile], standards: dict[str, set[str]]) -> None:
    """A `replaces` block names another known standard, and no edition is replaced twice."""
    claimed: dict[str, str] = {}
    for file in files:
        if file.kind != "standard" or not isinstance(file.data, dict):
            continue
        meta = file.data.get("standard")
        if not isinstance(meta, dict) or not isinstance(meta.get("replaces"), dict):
            continue
        replaces: LineDict = meta["replaces"]
        old = replaces.get("standard")
        line = replaces.lines.get("standard", replaces.line)
        if old == meta.get("code"):
            file.problems.append(Problem(str(file.path), line, "a standard cannot replace itself"))
        elif old not in standards:
            file.problems.append(
                Problem(str(file.path), line, f"replaces unknown standard {old!r}")
            )
        elif old in claimed:
            file.problems.append(
                Problem(str(file.path), line, f"{old} is already replaced by {claimed[old]}")
            )
        ends, until = replaces.get("transition_ends"), replaces.get("new_certificates_until")
        if isinstance(ends, str) and isinstance(until, str) and until > ends:
            file.problems.append(
                Problem(
                    str(file.path),
                    replaces.lines.get("new_certificates_until", line),
                    "new_certificates_until is after transition_ends",
                )
            )
        if isinstance(old, str):
            claimed.setdefault(old, str(meta.get("code")))


def _problem(file: CatalogFile, item: LineDict, message: str, key: str | None = None) -> None:
    line = item.lines.get(key, item.line) if key else item.line
    file.problems.append(Problem(str(file.path), line, message))


def _problem_at(file: CatalogFile, message: str) -> None:
    file.problems.append(Problem(str(file.path), file.data.lines.get("mappings", 1), message))
