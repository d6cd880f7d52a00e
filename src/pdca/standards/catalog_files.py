"""Reading and validating catalog files, with the file and line of every problem.

A file is checked against its JSON Schema (shipped in `catalog/schema/`), then against the rules
a schema cannot express: unique numbers, known parents, groups and core clauses, mapping
references. Nothing here touches the database except to look up what a file refers to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
SCHEMA_DIR = CATALOG_DIR / "schema"
CORE_FILE = CATALOG_DIR / "harmonized-structure.yaml"
KINDS = {"clause", "control"}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a catalog file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class LineDict(dict):
    """A YAML mapping that remembers the line of itself and of each of its keys."""

    line: int = 1

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}
        # The text of unquoted numbers as written: 7.10 reads as the float 7.1, and a message
        # telling the author to write "7.1" would point at the wrong requirement.
        self.raw: dict[Any, str] = {}


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C parser when available


class _Loader(_SafeLoader):
    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[Any, int]] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in mapping:
            loader.duplicates.append((key, line))
        value = loader.construct_object(value_node, deep=True)
        mapping[key] = value
        mapping.lines[key] = line
        if isinstance(value, int | float) and not isinstance(value, bool):
            mapping.raw[key] = value_node.value
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class CatalogFile:
    """A parsed file: `kind` is standard, core or mapping."""

    path: Path
    kind: str
    data: Any
    checksum: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


@cache
def _validator(kind: str) -> Draft202012Validator:
    schema = json.loads(
        (SCHEMA_DIR / f"{'catalog' if kind == 'standard' else kind}.schema.json").read_text()
    )
    return Draft202012Validator(schema)


def schema_path(kind: str = "standard") -> Path:
    return SCHEMA_DIR / f"{'catalog' if kind == 'standard' else kind}.schema.json"


def shipped_files() -> list[Path]:
    """Every catalog shipped with pdca: the core, the standards, then the mapping files."""
    standards = sorted(p for p in CATALOG_DIR.glob("*.yaml") if p != CORE_FILE)
    mappings = sorted((CATALOG_DIR / "mappings").glob("*.yaml"))
    return [CORE_FILE, *standards, *mappings]


def _kind(data: Any) -> str:
    if isinstance(data, dict):
        if "core" in data and "standard" not in data:
            return "core"
        if "mappings" in data:
            return "mapping"
    return "standard"


def _line_of(data: Any, path: Iterable[Any]) -> int:
    node, line = data, getattr(data, "line", 1)
    for key in path:
        if isinstance(node, LineDict) and key in node:
            line = node.lines.get(key, line)
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            line = getattr(node, "line", line)
        else:
            break
    return line


def _node_at(data: Any, path: Iterable[Any]) -> Any:
    node = data
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _where(data: Any, path: list[Any]) -> str:
    """'requirement 4.1' or 'group A.5' when the error sits inside one, else ''."""
    if len(path) >= 2 and path[0] in {"requirements", "groups", "core", "mappings"}:
        try:
            item = data[path[0]][path[1]]
        except (KeyError, IndexError, TypeError):
            return ""
        if isinstance(item, dict):
            key = {"requirements": "number", "groups": "id", "core": "id", "mappings": "source"}[
                path[0]
            ]
            label = {
                "requirements": "requirement",
                "groups": "group",
                "core": "core clause",
                "mappings": "mapping",
            }[path[0]]
            value = item.get(key)
            if not isinstance(value, str):
                value = getattr(item, "raw", {}).get(key)
            return f"{label} {value}" if isinstance(value, str) else f"{label} #{path[1] + 1}"
    return ""


def _schema_message(error: SchemaError, data: Any) -> tuple[list[Any], str]:
    path = list(error.absolute_path)
    where = _where(data, path)
    field_name = str(path[-1]) if path and not isinstance(path[-1], int) else ""
    validator = error.validator
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        text = f"{field_name + ': ' if field_name else ''}missing {missing}"
    elif validator == "additionalProperties":
        # A mapping, and the schema of one, for this validator (jsonschema types them loosely).
        instance: Any = error.instance
        schema: Any = error.schema
        extra = sorted(set(instance) - set(schema.get("properties", {})), key=str)
        text = f"{field_name + ': ' if field_name else ''}unknown field " + ", ".join(
            repr(x) for x in extra
        )
        # Point at the (first) unknown key rather than at the start of its mapping.
        lines = getattr(error.instance, "lines", {})
        first = min(extra, key=lambda key: lines.get(key, 0)) if extra else None
        return [*path, first] if first in lines else path, f"{where}: {text}" if where else text
    elif validator == "enum":
        values: Any = error.validator_value  # the schema's list of allowed values
        allowed = ", ".join(str(v) for v in values)
        if field_name == "kind":
            text = f"wrong kind {error.instance!r}: use one of {allowed}"
        else:
            text = f"{field_name}: {error.instance!r} is not one of {allowed}"
    elif (
        validator == "type"
        and error.validator_value == "string"
        and isinstance(error.instance, int | float)
    ):
        container = _node_at(data, path[:-1])
        written = getattr(container, "raw", {}).get(path[-1], str(error.instance)) if path else ""
        text = f'{field_name}: {written} must be a quoted string (write "{written}")'
    elif validator == "type":
        text = f"{field_name or 'value'}: must be of type {error.validator_value}"
    elif validator == "minLength":
        text = f"{field_name}: must not be empty"
    elif validator == "const":
        text = f"{field_name}: must be {error.validator_value!r}"
    elif validator == "pattern":
        text = f"{field_name}: {error.instance!r} is not a valid value"
    elif validator == "minItems":
        text = f"{field_name}: must not be empty"
    else:
        text = f"{field_name + ': ' if field_name else ''}{error.message}"
    return path, f"{where}: {text}" if where else text


def read_file(path: Path | str) -> CatalogFile:
    """Parse one file and check it against its schema; problems are collected, not raised."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return CatalogFile(
            path, "standard", None, "", [Problem(name, 0, f"cannot read: {exc.strerror}")]
        )
    checksum = hashlib.sha256(raw).hexdigest()
    loader = _Loader(raw.decode("utf-8", errors="replace"))
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        return CatalogFile(
            path,
            "standard",
            None,
            checksum,
            [Problem(name, line, f"not valid YAML: {getattr(exc, 'problem', exc)}")],
        )
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return CatalogFile(
            path,
            "standard",
            data,
            checksum,
            [Problem(name, 1, "the file must be a mapping with format, standard and requirements")],
        )
    kind = _kind(data)
    problems = [Problem(name, line, f"duplicate key {key!r}") for key, line in loader.duplicates]
    file = CatalogFile(path, kind, data, checksum, problems)
    problems.extend(schema_problems(file))
    return file


def schema_problems(file: CatalogFile) -> list[Problem]:
    """What the file's JSON Schema finds wrong with its data."""
    problems = []
    for error in sorted(
        _validator(file.kind).iter_errors(file.data),
        key=lambda e: list(map(str, e.absolute_path)),
    ):
        path_, message = _schema_message(error, file.data)
        problems.append(Problem(str(file.path), _line_of(file.data, path_), message))
    return problems


def _items(data: Any, key: str) -> list[LineDict]:
    value = data.get(key) if isinstance(data, dict) else None
    return [item for item in value if isinstance(item, LineDict)] if isinstance(value, list) else []


def check_core(file: CatalogFile) -> None:
    seen: dict[str, int] = {}
    for item in _items(file.data, "core"):
        number = item.get("id")
        if isinstance(number, str):
            if number in seen:
                file.problems.append(
                    Problem(
                        str(file.path),
                        item.line,
                        f"duplicate core id {number} (first at line {seen[number]})",
                    )
                )
            seen.setdefault(number, item.line)


def check_standard(file: CatalogFile, core_ids: set[str]) -> None:
    name = str(file.path)
    add = file.problems.append
    groups: dict[str, int] = {}
    for declared in _items(file.data, "groups"):
        gid = declared.get("id")
        if isinstance(gid, str):
            if gid in groups:
                add(
                    Problem(
                        name, declared.line, f"duplicate group {gid} (first at line {groups[gid]})"
                    )
                )
            groups.setdefault(gid, declared.line)
    numbers: dict[str, LineDict] = {}
    for req in _items(file.data, "requirements"):
        # An unquoted number is already reported by the schema; its text as written still
        # names the requirement, so its children do not also get "unknown parent".
        number = req.get("number") if isinstance(req.get("number"), str) else req.raw.get("number")
        if not isinstance(number, str):
            continue
        if number in numbers:
            add(
                Problem(
                    name,
                    req.line,
                    f"duplicate number {number} (first at line {numbers[number].line})",
                )
            )
            continue
        numbers[number] = req
    for number, req in numbers.items():
        where = f"requirement {number}"
        kind, parent, group, core = (req.get(k) for k in ("kind", "parent", "group", "core"))
        if isinstance(parent, str):
            if parent == number:
                add(Problem(name, req.lines["parent"], f"{where}: is its own parent"))
            elif parent not in numbers:
                add(Problem(name, req.lines["parent"], f"{where}: unknown parent {parent}"))
            elif (
                kind in KINDS
                and numbers[parent].get("kind") in KINDS
                and numbers[parent].get("kind") != kind
            ):
                add(
                    Problem(
                        name,
                        req.lines["parent"],
                        f"{where}: wrong kind: a {kind} under the "
                        f"{numbers[parent].get('kind')} {parent}",
                    )
                )
        if kind == "control":
            if group is None:
                add(Problem(name, req.line, f"{where}: a control needs a group"))
            elif isinstance(group, str) and group not in groups:
                add(Problem(name, req.lines["group"], f"{where}: unknown group {group}"))
            if core is not None:
                add(
                    Problem(
                        name,
                        req.lines["core"],
                        f"{where}: wrong kind: a control has no core clause",
                    )
                )
        elif kind == "clause" and group is not None:
            add(
                Problem(
                    name,
                    req.lines["group"],
                    f"{where}: wrong kind: a clause has no group (controls do)",
                )
            )
        if isinstance(core, str) and core not in core_ids:
            add(
                Problem(
                    name,
                    req.lines["core"],
                    f"{where}: bad core id {core!r}: not a Harmonized Structure clause",
                )
            )
    # A parent chain must end: find cycles such as 4.1 -> 4.2 -> 4.1.
    for number in numbers:
        seen: set[str] = set()
        current: str | None = number
        while isinstance(current, str) and current in numbers:
            if current in seen:
                add(
                    Problem(
                        name,
                        numbers[number].line,
                        f"requirement {number}: its parents form a cycle",
                    )
                )
                break
            seen.add(current)
            current = numbers[current].get("parent")


def check_mapping(file: CatalogFile, standards: dict[str, set[str]]) -> None:
    name = str(file.path)
    data = file.data
    src, dst = data.get("source"), data.get("target")
    for side, code in (("source", src), ("target", dst)):
        if isinstance(code, str) and code not in standards:
            file.problems.append(
                Problem(name, data.lines.get(side, 1), f"unknown {side} standard {code!r}")
            )
    pairs: dict[tuple[Any, Any], int] = {}
    for item in _items(data, "mappings"):
        a, b = item.get("source"), item.get("target")
        if (
            isinstance(src, str)
            and src in standards
            and isinstance(a, str)
            and a not in standards[src]
        ):
            file.problems.append(
                Problem(
                    name,
                    item.lines.get("source", item.line),
                    f"mapping {a}: {src} has no requirement {a}",
                )
            )
        if (
            isinstance(dst, str)
            and dst in standards
            and isinstance(b, str)
            and b not in standards[dst]
        ):
            file.problems.append(
                Problem(
                    name,
                    item.lines.get("target", item.line),
                    f"mapping {a}: {dst} has no requirement {b}",
                )
            )
        if (a, b) in pairs:
            file.problems.append(
                Problem(
                    name,
                    item.line,
                    f"mapping {a}: duplicate pair {a} -> {b} (first at line {pairs[(a, b)]})",
                )
            )
        pairs.setdefault((a, b), item.line)
