"""Reading an OSCAL catalog or profile into the catalog file format of `pdca.standards`:
groups become requirement groups, controls requirements (nested controls their children),
each number from the `label` prop (else from the control id), each summary from the
`statement` part's prose. A profile selects controls of a catalog (`include-all`,
`include-controls` with ids, `exclude-controls`); its `modify` is ignored, with a warning."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.text import slugify

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.interop.oscal.common import NS

NUMBER = re.compile(r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$")
ROOTS = {"catalog": "trestle.oscal.catalog.Catalog", "profile": "trestle.oscal.profile.Profile"}


def _refuse(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed.single(field_name, message)


def parse_document(content: bytes, name: str, field_name: str = "file") -> tuple[str, dict]:
    """The root key (`catalog` or `profile`) and body of an OSCAL document in JSON (or YAML
    when the file name says so), validated against compliance-trestle's model when it is
    installed, else by the checks of this module alone."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(field_name, "The file is not UTF-8 text.") from None
    try:
        if name.lower().endswith((".yaml", ".yml")):
            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(field_name, f"Not valid JSON: {exc.msg} (line {exc.lineno}).") from None
    except yaml.YAMLError as exc:
        raise _refuse(field_name, f"Not valid YAML: {exc}.") from None
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in ROOTS:
        raise _refuse(
            field_name,
            "Not an OSCAL catalog or profile: expected one root key, catalog or profile.",
        )
    root, body = next(iter(data.items()))
    if not isinstance(body, dict):
        raise _refuse(field_name, f"Not an OSCAL {root}: {root} must be an object.")
    _validate_with_trestle(root, body, field_name)
    return root, body


def _validate_with_trestle(root: str, body: dict, field_name: str) -> None:
    if importlib.util.find_spec("trestle") is None:
        return
    module_name, _, class_name = ROOTS[root].rpartition(".")
    model: Any = getattr(importlib.import_module(module_name), class_name)
    from pydantic import ValidationError

    try:
        # pydantic's validator itself: trestle's `model_validate` hides every error but the
        # first when the OSCAL version is one of them.
        model.__pydantic_validator__.validate_python(body)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or root}: {e['msg']}" for e in exc.errors()[:5]
        ]
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise _refuse(
            field_name, f"Not a valid OSCAL {root}: {'; '.join(problems)}{more}."
        ) from None


def _props(node: dict) -> dict[str, str]:
    """A node's props by name (ours and OSCAL's; other namespaces' ignored)."""
    found: dict[str, str] = {}
    for p in node.get("props") or []:
        if isinstance(p, dict) and p.get("ns") in (None, NS) and isinstance(p.get("value"), str):
            found.setdefault(str(p.get("name")), p["value"])
    return found


def _prose(parts: list, names: tuple[str, ...]) -> str:
    """The prose of the first part named one of `names`, with its sub-parts' prose."""

    def collect(part: dict) -> list[str]:
        texts = [part["prose"].strip()] if isinstance(part.get("prose"), str) else []
        for sub in part.get("parts") or []:
            if isinstance(sub, dict):
                texts += collect(sub)
        return [t for t in texts if t]

    for part in parts or []:
        if isinstance(part, dict) and part.get("name") in names:
            return "\n".join(collect(part))
    return ""


def _number(control: dict, props: dict[str, str]) -> str:
    label = props.get("label", "").strip()
    if NUMBER.match(label):
        return label
    return re.sub(r"[^A-Za-z0-9]+", ".", str(control.get("id", ""))).strip(".")


@dataclass
class Control:
    id: str
    number: str
    title: str
    summary: str
    group: str | None
    parent: str | None
    kind: str
    core: str | None = None
    provisional: bool = False
    untitled: bool = False


@dataclass
class Outline:
    """What a catalog holds, in our terms."""

    title: str
    version: str
    props: dict[str, str]
    groups: list[dict] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def outline(body: dict) -> Outline:
    """The groups and controls of a catalog body, in document order; duplicate control ids
    are refused."""
    meta = body.get("metadata") or {}
    found = Outline(str(meta.get("title", "")), str(meta.get("version", "")), _props(meta))
    seen: set[str] = set()

    def walk_controls(controls: list, group: str | None, parent: str | None) -> None:
        for control in controls or []:
            if not isinstance(control, dict):
                raise _refuse("file", "Not a valid OSCAL catalog: a control is not an object.")
            cid = str(control.get("id", ""))
            if cid in seen:
                raise _refuse("file", f"Duplicate control id {cid!r}.")
            seen.add(cid)
            props = _props(control)
            found.controls.append(
                Control(
                    id=cid,
                    number=_number(control, props),
                    title=str(control.get("title", "")).strip(),
                    summary=_prose(control.get("parts") or [], ("statement",)),
                    group=group,
                    parent=parent,
                    kind="control" if group else "clause",
                    core=props.get("hs-clause"),
                    provisional=props.get("provisional") == "true",
                    untitled=props.get("untitled") == "true",
                )
            )
            walk_controls(control.get("controls") or [], group, cid)

    def walk_groups(groups: list) -> None:
        for group in groups or []:
            if not isinstance(group, dict):
                raise _refuse("file", "Not a valid OSCAL catalog: a group is not an object.")
            gid = str(group.get("id") or group.get("title", ""))
            code = _props(group).get("label", "").strip() or gid
            if code in {g["id"] for g in found.groups}:
                raise _refuse("file", f"Duplicate group {code!r}.")
            found.groups.append(
                {
                    "id": code,
                    "title": str(group.get("title", "")).strip(),
                    "summary": _prose(group.get("parts") or [], ("overview", "statement")),
                }
            )
            walk_controls(group.get("controls") or [], code, None)
            walk_groups(group.get("groups") or [])  # nested groups: each becomes its own

    walk_controls(body.get("controls") or [], None, None)
    walk_groups(body.get("groups") or [])
    return found


def select(found: Outline, profile: dict) -> Outline:
    """The controls a profile's (first) import selects from a catalog's outline, each under
    its nearest selected ancestor; groups left empty are dropped."""
    imports = profile.get("imports") or []
    spec = imports[0] if imports and isinstance(imports[0], dict) else {}
    by_id = {c.id: c for c in found.controls}
    children: dict[str, list[str]] = {}
    for c in found.controls:
        if c.parent:
            children.setdefault(c.parent, []).append(c.id)

    def ids_of(rules: Any) -> set[str]:
        chosen: set[str] = set()
        for rule in rules or []:
            if not isinstance(rule, dict):
                continue
            if rule.get("matching"):
                found.warnings.append("`matching` patterns are not supported and were ignored.")
            for cid in rule.get("with-ids") or []:
                if cid not in by_id:
                    raise _refuse("file", f"The profile selects {cid!r}, not in the catalog.")
                chosen.add(cid)
                if rule.get("with-child-controls") == "yes":
                    stack = list(children.get(cid, []))
                    while stack:
                        child = stack.pop()
                        chosen.add(child)
                        stack += children.get(child, [])
        return chosen

    chosen = set(by_id) if "include-all" in spec else ids_of(spec.get("include-controls"))
    chosen -= ids_of(spec.get("exclude-controls"))
    modify = profile.get("modify") or {}
    if modify.get("alters"):
        found.warnings.append(
            f"The profile's {len(modify['alters'])} alteration(s) (modify.alters) were ignored."
        )
    if modify.get("set-parameters"):
        found.warnings.append(
            "The profile's parameter settings (modify.set-parameters) were ignored."
        )
    kept = []
    for c in found.controls:
        if c.id not in chosen:
            continue
        parent = c.parent
        while parent is not None and parent not in chosen:
            parent = by_id[parent].parent
        c.parent = parent
        kept.append(c)
    found.controls = kept
    used = {c.group for c in kept}
    found.groups = [g for g in found.groups if g["id"] in used]
    return found


def catalog_data(found: Outline, *, code: str | None, core_ids: set[str]) -> dict:
    """The outline in the catalog file format of `pdca.standards` (checked there)."""
    if not found.controls:
        raise _refuse("file", "The catalog selects no controls: there is nothing to import.")
    title = found.title.strip()
    if not code:
        code = f"oscal-{slugify(title)}"[:60].rstrip("-")
    numbers = {c.id: c.number for c in found.controls}
    standard: dict[str, Any] = {
        "code": code,
        "name": (found.props.get("name") or title)[:100],
        "title": title,
        "edition": found.version,
        "discipline": "other",
        "structure": "other",
    }
    if found.props.get("provisional") == "true":
        standard["provisional"] = True
        standard["provisional_note"] = "Marked provisional in the imported OSCAL catalog."
    requirements = []
    for c in found.controls:
        item: dict[str, Any] = {
            "number": c.number,
            "title": c.title,
            "kind": c.kind,
            # The loader strips the summary: a control without a statement gets an empty one.
            "summary": c.summary or " ",
        }
        if c.parent:
            item["parent"] = numbers[c.parent]
        if c.group:
            item["group"] = c.group
        if c.kind == "clause" and c.core in core_ids:
            item["core"] = c.core
        if c.provisional:
            item["provisional"] = True
        if c.untitled:
            item["untitled"] = True
        requirements.append(item)
    groups = [{k: v for k, v in g.items() if v or k != "summary"} for g in found.groups]
    data: dict[str, Any] = {"format": 1, "standard": standard, "requirements": requirements}
    if groups:
        data["groups"] = groups
    return data


def problems_as_errors(messages: list[str]) -> ValidationFailed:
    return ValidationFailed([FieldError("file", m) for m in messages])
