"""Loading catalog files into the database: all or nothing, idempotent, and reported.

`load_catalogs` validates every file first; if any has a problem nothing is written. Loading
inserts new requirements, updates changed ones, and removes requirements that left the file
unless something refers to them (those are kept and marked retired).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.exceptions import ServiceError
from pdca.standards.catalog_check import read_and_check
from pdca.standards.catalog_files import (
    CORE_FILE,
    CatalogFile,
    LineDict,
    Problem,
    check_standard,
    schema_problems,
    shipped_files,
)
from pdca.standards.models import (
    CoreClause,
    EditionMapping,
    Mapping,
    Requirement,
    RequirementGroup,
    Standard,
    number_sort_key,
)

if TYPE_CHECKING:
    from pdca.accounts.models import User


class CatalogInvalid(ServiceError):
    """At least one file has problems; `problems` lists them all, with file and line."""

    code = "catalog_invalid"
    status = 422
    title = "Invalid catalog"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the catalog files; nothing was loaded.")


@dataclass
class FileReport:
    """What loading one file changed."""

    file: str
    kind: str
    code: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    retired: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.retired)


def validate_catalogs(paths: Iterable[Path | str]) -> list[Problem]:
    """Every problem in the files, sorted by file and line (empty when all are valid)."""
    return sorted(p for f in read_and_check(paths) for p in f.problems)


def _set(obj: models.Model, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _load_core(file: CatalogFile, report: FileReport) -> None:
    existing = {c.number: c for c in CoreClause.objects.all()}
    for item in file.data["core"]:
        values = {
            "title": item["title"],
            "summary": item["summary"].strip(),
            "sort_key": number_sort_key(item["id"]),
        }
        clause = existing.get(item["id"])
        if clause is None:
            CoreClause.objects.create(number=item["id"], **values)
            report.created += 1
        elif _set(clause, values):
            clause.save()
            report.updated += 1
            report.changes.append(f"core {item['id']} updated")
        else:
            report.unchanged += 1


def _load_standard(file: CatalogFile, report: FileReport) -> Standard:
    meta = file.data["standard"]
    values = {
        "name": meta["name"],
        "title": meta["title"],
        "edition": meta["edition"],
        "publisher": meta.get("publisher", ""),
        "discipline": meta["discipline"],
        "structure": meta["structure"],
        "summary": meta.get("summary", "").strip(),
        "published_on": _date(meta.get("published")),
        "amendments": [
            {k: a[k].strip() for k in ("code", "title", "published", "summary")}
            for a in meta.get("amendments", [])
        ],
        "provisional": meta.get("provisional", False),
        "provisional_note": meta.get("provisional_note", "").strip(),
    }
    standard = Standard.objects.filter(code=meta["code"]).first()
    if standard is None:
        standard = Standard.objects.create(code=meta["code"], **values)
    elif _set(standard, values):
        report.changes.append("standard details updated")
        report.updated += 1
    if _set(standard, {"source_file": file.name, "checksum": file.checksum}) or report.changes:
        standard.loaded_at = timezone.now()
        standard.save()

    groups = {g.code: g for g in standard.groups.all()}
    for item in file.data.get("groups", []):
        gvalues = {
            "title": item["title"],
            "summary": item.get("summary", "").strip(),
            "sort_key": number_sort_key(item["id"]),
        }
        group = groups.get(item["id"])
        if group is None:
            groups[item["id"]] = RequirementGroup.objects.create(
                standard=standard, code=item["id"], **gvalues
            )
        elif changed := _set(group, gvalues):
            group.save()
            report.updated += 1
            report.changes.append(f"group {item['id']}: {', '.join(changed)} updated")

    cores = {c.number: c for c in CoreClause.objects.all()}
    existing = {r.number: r for r in standard.requirements.all()}
    items = {item["number"]: item for item in file.data["requirements"]}

    def depth(number: str) -> int:
        d, parent = 0, items[number].get("parent")
        while parent:
            d, parent = d + 1, items[parent].get("parent")
        return d

    # Parents first, so each child can point at its parent row.
    for number in sorted(items, key=depth):
        item = items[number]
        rvalues = {
            "title": item["title"],
            "untitled": item.get("untitled", False),
            "kind": item["kind"],
            "summary": item["summary"].strip(),
            "adds": item.get("adds", "").strip(),
            "documented_information": [
                {"type": d["type"], "what": d["what"]}
                for d in item.get("documented_information", [])
            ],
            "group_id": groups[item["group"]].pk if item.get("group") else None,
            "core_id": cores[item["core"]].pk if item.get("core") else None,
            "parent_id": existing[item["parent"]].pk if item.get("parent") else None,
            "sort_key": number_sort_key(number),
            "depth": depth(number),
            "retired": False,
            "provisional": item.get("provisional", False),
        }
        requirement = existing.get(number)
        if requirement is None:
            existing[number] = Requirement.objects.create(
                standard=standard, number=number, **rvalues
            )
            report.created += 1
        else:
            changed = _set(requirement, rvalues)
            if changed:
                requirement.save()
                report.updated += 1
                report.changes.append(f"{number}: {', '.join(changed)} updated")
            else:
                report.unchanged += 1

    gone = sorted(
        (r for number, r in existing.items() if number not in items),
        key=lambda r: -r.depth,
    )
    for requirement in gone:
        try:
            with transaction.atomic():
                requirement.delete()
            report.deleted += 1
            report.changes.append(f"{requirement.number}: deleted")
        except models.ProtectedError:
            if not requirement.retired:
                requirement.retired = True
                requirement.save(update_fields=["retired"])
                report.retired += 1
                report.changes.append(f"{requirement.number}: kept as retired (still referred to)")
    declared = {g["id"] for g in file.data.get("groups", [])}
    for code, group in groups.items():
        if code not in declared and not group.requirements.exists():
            group.delete()
            report.deleted += 1
            report.changes.append(f"group {code}: deleted")
    return standard


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _link_editions(file: CatalogFile, report: FileReport) -> None:
    """Point the new edition at the one it replaces, with the transition's dates (a second pass:
    the replaced edition may come later in the load)."""
    meta = file.data["standard"]
    standard = Standard.objects.get(code=meta["code"])
    replaces = meta.get("replaces")
    values: dict = {
        "replaces_id": None,
        "transition_ends": None,
        "new_certificates_until": None,
        "transition_provisional": False,
        "transition_note": "",
    }
    if replaces:
        old = Standard.objects.get(code=replaces["standard"])
        # One edition is replaced by one: another file that claimed it lets go first.
        Standard.objects.filter(replaces=old).exclude(pk=standard.pk).update(replaces=None)
        values = {
            "replaces_id": old.pk,
            "transition_ends": _date(replaces["transition_ends"]),
            "new_certificates_until": _date(replaces.get("new_certificates_until")),
            "transition_provisional": replaces.get("provisional", False),
            "transition_note": replaces["note"].strip(),
        }
    if changed := _set(standard, values):
        standard.save()
        report.updated += 1
        report.changes.append(f"transition: {', '.join(changed)} updated")


def _line_sort_key(old: Requirement | None, new: Requirement | None) -> str:
    """In the new edition's order; a removed requirement sorts where it stood in the old."""
    anchor = new or old
    assert anchor is not None  # the catalog check refuses a line with neither
    # A space sorts below the "." of a sub-clause's key: 4 and its lines before 4.1.
    return anchor.sort_key + " " + ("" if new else "~") + (old.sort_key if old else "")


def _load_transition(file: CatalogFile, report: FileReport) -> None:
    data = file.data
    old_std = Standard.objects.get(code=data["source"])
    new_std = Standard.objects.get(code=data["target"])
    olds = {r.number: r for r in old_std.requirements.all()}
    news = {r.number: r for r in new_std.requirements.all()}
    current = {
        (m.old_id, m.new_id): m
        for m in EditionMapping.objects.filter(old_standard=old_std, new_standard=new_std)
    }
    wanted = set()
    for item in data["mappings"]:
        old = olds[item["source"]] if item.get("source") else None
        new = news[item["target"]] if item.get("target") else None
        key = (old.pk if old else None, new.pk if new else None)
        wanted.add(key)
        values = {
            "change": item["relation"],
            "note": item.get("note", "").strip(),
            "source_file": file.name,
            "sort_key": _line_sort_key(old, new),
        }
        line = current.get(key)
        if line is None:
            EditionMapping.objects.create(
                old_standard=old_std, new_standard=new_std, old=old, new=new, **values
            )
            report.created += 1
        elif changed := _set(line, values):
            line.save()
            report.updated += 1
            report.changes.append(
                f"{item.get('source', '—')} -> {item.get('target', '—')}: {', '.join(changed)} "
                "updated"
            )
        else:
            report.unchanged += 1
    for key, line in current.items():
        if key not in wanted:
            line.delete()
            report.deleted += 1
            report.changes.append(f"{line}: deleted")


def _load_mapping(file: CatalogFile, report: FileReport) -> None:
    data = file.data
    if data.get("kind") == "transition":
        _load_transition(file, report)
        return
    reqs = {
        (r.standard.code, r.number): r
        for r in Requirement.objects.filter(
            standard__code__in=[data["source"], data["target"]]
        ).select_related("standard")
    }
    current = {
        (m.source_id, m.target_id): m
        for m in Mapping.objects.filter(source_file=file.name).select_related("source", "target")
    }
    wanted = set()
    for item in data["mappings"]:
        source = reqs[(data["source"], item["source"])]
        target = reqs[(data["target"], item["target"])]
        wanted.add((source.pk, target.pk))
        values = {"relation": item["relation"], "note": item.get("note", "").strip()}
        mapping = (
            current.get((source.pk, target.pk))
            or Mapping.objects.filter(source=source, target=target).first()
        )
        pair = f"{item['source']} -> {item['target']}"
        if mapping is None:
            Mapping.objects.create(source=source, target=target, source_file=file.name, **values)
            report.created += 1
        elif changed := _set(mapping, {**values, "source_file": file.name}):
            mapping.save()
            report.updated += 1
            report.changes.append(f"{pair}: {', '.join(changed)} updated")
        else:
            report.unchanged += 1
    for key, mapping in current.items():
        if key not in wanted:
            mapping.delete()
            report.deleted += 1
            report.changes.append(f"{mapping.source.number} -> {mapping.target.number}: deleted")


def load_catalogs(
    paths: Iterable[Path | str] | None = None, *, actor: User | None = None
) -> list[FileReport]:
    """Validate and load catalog files (all shipped ones by default), all or nothing."""
    paths = list(paths) if paths is not None else shipped_files()
    files = read_and_check(paths)
    if not any(f.kind == "core" for f in files) and not CoreClause.objects.exists():
        # Standards point at the core clauses, so a first load brings the shipped core along.
        files = read_and_check([CORE_FILE, *paths])
    problems = sorted(p for f in files for p in f.problems)
    if problems:
        raise CatalogInvalid(problems)
    order = {"core": 0, "standard": 1, "mapping": 2}
    reports: list[FileReport] = []
    with transaction.atomic():
        for file in sorted(files, key=lambda f: order[f.kind]):
            if file.kind == "core":
                report = FileReport(file.name, "core", "harmonized-structure")
                _load_core(file, report)
            elif file.kind == "standard":
                report = FileReport(file.name, "standard", file.data["standard"]["code"])
                standard = _load_standard(file, report)
                if report.changed:
                    record_activity(
                        actor=actor,
                        action="load",
                        obj=standard,
                        message=f"{file.name}: {report.created} created, {report.updated} "
                        f"updated, {report.deleted} deleted, {report.retired} retired",
                    )
            else:
                report = FileReport(
                    file.name, "mapping", f"{file.data['source']}--{file.data['target']}"
                )
                _load_mapping(file, report)
            reports.append(report)
        for file in files:
            if file.kind == "standard":
                code = file.data["standard"]["code"]
                report = next(r for r in reports if r.kind == "standard" and r.code == code)
                _link_editions(file, report)
    return reports


def ensure_catalogs_loaded() -> None:
    """Load the shipped catalogs when the database has none (tests, first start)."""
    if not Standard.objects.exists():
        load_catalogs()


def _line_dicts(value: object) -> object:
    """Parsed data as the checks expect it (mappings that know their lines; here all line 0)."""
    if isinstance(value, dict):
        mapping = LineDict({k: _line_dicts(v) for k, v in value.items()})
        mapping.lines = dict.fromkeys(value, 0)
        return mapping
    if isinstance(value, list):
        return [_line_dicts(v) for v in value]
    return value


def load_catalog_data(data: dict, *, source: str, actor: User | None) -> Standard:
    """Load one standard given as parsed data in the catalog file format (an import from
    another format, such as OSCAL): checked like a file, refused whole with `CatalogInvalid`,
    never updating a standard that already exists."""
    file = CatalogFile(Path(source), "standard", _line_dicts(data), "")
    file.problems.extend(schema_problems(file))
    if not file.problems:
        check_standard(file, {c.number for c in CoreClause.objects.all()})
    code = data.get("standard", {}).get("code")
    if Standard.objects.filter(code=code).exists():
        file.problems.append(Problem(source, 0, f"the code {code} is already in use"))
    if file.problems:
        raise CatalogInvalid(file.problems)
    report = FileReport(source, "standard", code)
    with transaction.atomic():
        standard = _load_standard(file, report)
        record_activity(
            actor=actor,
            action="import",
            obj=standard,
            message=f"{source}: {report.created} requirement(s) imported",
        )
    return standard
