"""Two small editions of a made-up environmental standard and the transition between them,
written as catalog files and loaded like the shipped ones.

The transition uses every kind of change: same, changed, moved (6.1.4 to 6.1.5, 10.3 to 10.1),
new (6.1.4, 6.3), merged (8.1 and 8.2 into 8.1), split (9.3 into 9.3.1 and 9.3.2, and changed
as the heading above them) and removed (10.1). `extra` adds that many `same` requirements
(7.1, 7.2…) to both editions, to compare query counts at two sizes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pdca.standards.services import load_catalogs

OLD = "demo-ems-2015"
NEW = "demo-ems-2026"

OLD_NUMBERS = [
    "4", "4.1", "4.2", "6", "6.1", "6.1.1", "6.1.4", "8", "8.1", "8.2", "9", "9.3",
    "10", "10.1", "10.2", "10.3",
]  # fmt: skip
NEW_NUMBERS = [
    "4", "4.1", "4.2", "6", "6.1", "6.1.1", "6.1.4", "6.1.5", "6.3", "8", "8.1", "9", "9.3",
    "9.3.1", "9.3.2", "10", "10.1", "10.2",
]  # fmt: skip
TITLES = {
    "4": "Context of the organization",
    "4.1": "Understanding the organization and its context",
    "4.2": "Understanding the needs and expectations of interested parties",
    "6": "Planning",
    "6.1": "Actions to address risks and opportunities",
    "6.1.1": "General",
    "6.1.4": "Planning action",
    "8": "Operation",
    "8.1": "Operational planning and control",
    "8.2": "Emergency preparedness and response",
    "9": "Performance evaluation",
    "9.3": "Management review",
    "10": "Improvement",
    "10.1": "General",
    "10.2": "Nonconformity and corrective action",
    "10.3": "Continual improvement",
}
NEW_TITLES = TITLES | {
    "6.1.4": "Risks and opportunities",
    "6.1.5": "Planning action",
    "6.3": "Planning of changes",
    "9.3.1": "General",
    "9.3.2": "Management review inputs",
    "10.1": "Continual improvement",
}

#: (source, target, relation, note) in the order of the file.
LINES: list[tuple[str | None, str | None, str, str]] = [
    ("4", "4", "same", ""),
    ("4.1", "4.1", "changed", "Names environmental conditions, climate change among them."),
    ("4.2", "4.2", "same", ""),
    ("6", "6", "same", ""),
    ("6.1", "6.1", "same", ""),
    ("6.1.1", "6.1.1", "changed", "Slimmed: the risk part moves to the new 6.1.4."),
    ("6.1.4", "6.1.5", "moved", "Planning action is renumbered."),
    (None, "6.1.4", "new", "Risks and opportunities get a clause of their own."),
    (None, "6.3", "new", "Changes to the system are planned."),
    ("8", "8", "same", ""),
    ("8.1", "8.1", "merged", "Operational control and emergencies in one clause."),
    ("8.2", "8.1", "merged", "Emergency preparedness joins operational control."),
    ("9", "9", "same", ""),
    ("9.3", "9.3", "changed", "Now a heading over its sub-clauses."),
    ("9.3", "9.3.1", "split", "The general part of the review."),
    ("9.3", "9.3.2", "split", "The inputs, with changes in interested parties' needs."),
    ("10", "10", "same", ""),
    ("10.1", None, "removed", "The general clause is gone."),
    ("10.2", "10.2", "same", ""),
    ("10.3", "10.1", "moved", "Continual improvement comes first."),
]
#: How many lines of each change LINES has.
COUNTS = {
    "new": 2,
    "changed": 3,
    "split": 2,
    "merged": 2,
    "moved": 2,
    "removed": 1,
    "same": 8,
}
TRANSITION_FILE = f"{OLD}--{NEW}.yaml"


def _parent(number: str) -> str | None:
    return number.rpartition(".")[0] or None


def _requirements(titles: dict[str, str], numbers: list[str], provisional: set[str]) -> list:
    out = []
    for number in numbers:
        item: dict[str, Any] = {
            "number": number,
            "title": titles[number],
            "kind": "clause",
            "summary": f"Our summary of {number}.",
        }
        if parent := _parent(number):
            item["parent"] = parent
        if number in provisional:
            item["provisional"] = True
        out.append(item)
    return out


def _extra(extra: int) -> list[str]:
    return ["7", *(f"7.{i}" for i in range(1, extra + 1))] if extra else []


def old_catalog(*, extra: int = 0, amendments: bool = True) -> dict:
    numbers = OLD_NUMBERS + _extra(extra)
    titles = TITLES | {n: f"Support item {n}" for n in _extra(extra)}
    standard: dict[str, Any] = {
        "code": OLD,
        "name": "Demo EMS",
        "title": "Environmental management systems, a made-up test edition",
        "edition": "2015",
        "publisher": "Test",
        "discipline": "environment",
        "structure": "annex-sl-2012",
        "published": "2015-09-15",
    }
    if amendments:
        standard["amendments"] = [
            {
                "code": "A1:2024",
                "title": "Climate action changes",
                "published": "2024-02-23",
                "summary": "4.1 asks whether climate change is a relevant issue.",
            }
        ]
    return {
        "format": 1,
        "standard": standard,
        "requirements": _requirements(titles, numbers, set()),
    }


def new_catalog(
    *,
    extra: int = 0,
    provisional: bool = False,
    replaces: bool = True,
    transition_provisional: bool = True,
) -> dict:
    numbers = NEW_NUMBERS + _extra(extra)
    titles = NEW_TITLES | {n: f"Support item {n}" for n in _extra(extra)}
    standard: dict[str, Any] = {
        "code": NEW,
        "name": "Demo EMS",
        "title": "Environmental management systems, a made-up test edition",
        "edition": "2026",
        "publisher": "Test",
        "discipline": "environment",
        "structure": "hs-2021",
        "published": "2026-04-15",
    }
    if provisional:
        standard["provisional"] = True
        standard["provisional_note"] = "Structure not yet checked against the published text."
    if replaces:
        standard["replaces"] = {
            "standard": OLD,
            "transition_ends": "2029-04-15",
            "new_certificates_until": "2027-10-31",
            "provisional": transition_provisional,
            "note": "Three years from publication; the end date is reported two ways.",
        }
    return {
        "format": 1,
        "standard": standard,
        "requirements": _requirements(titles, numbers, {"6.3"}),
    }


def transition(
    *, extra: int = 0, lines: list[tuple[str | None, str | None, str, str]] | None = None
) -> dict:
    mappings = []
    for source, target, relation, note in [
        *(lines if lines is not None else LINES),
        *((n, n, "same", "") for n in _extra(extra)),
    ]:
        item: dict[str, Any] = {}
        if source:
            item["source"] = source
        if target:
            item["target"] = target
        item["relation"] = relation
        if note:
            item["note"] = note
        mappings.append(item)
    return {"format": 1, "kind": "transition", "source": OLD, "target": NEW, "mappings": mappings}


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_editions(
    folder: Path,
    *,
    extra: int = 0,
    provisional: bool = False,
    transition_provisional: bool = True,
    with_transition: bool = True,
) -> list[Path]:
    """The two editions and (unless `with_transition` is false) their transition file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        write(folder / f"{OLD}.yaml", old_catalog(extra=extra)),
        write(
            folder / f"{NEW}.yaml",
            new_catalog(
                extra=extra,
                provisional=provisional,
                transition_provisional=transition_provisional,
            ),
        ),
    ]
    if with_transition:
        paths.append(write(folder / TRANSITION_FILE, transition(extra=extra)))
    return paths


def load_editions(folder: Path, **options: Any) -> list[Path]:
    """Write and load the two editions (see `write_editions`)."""
    paths = write_editions(folder, **options)
    load_catalogs(paths)
    return paths
