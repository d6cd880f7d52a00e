"""A standard as an OSCAL catalog: requirement groups as `groups`, requirements as `controls`
(sub-clauses nested under their clause), each with its number as the `label` prop and our own
summary as the `statement` part. Never the standard's text: numbers, titles and our summaries."""

from __future__ import annotations

from pdca.interop.oscal.common import (
    JSON,
    NS,
    control_id,
    document,
    group_id,
    metadata,
    oscal_uuid,
    prop,
)
from pdca.standards.models import Requirement, RequirementGroup, Standard

NOTE = (
    "Numbers and titles identify the requirements; every summary is pdca's own words, "
    "not text of the standard."
)


def catalog_uuid(standard: Standard) -> str:
    return oscal_uuid("catalog", standard.code)


def _statement(owner_id: str, prose: str, name: str = "statement") -> list[JSON]:
    prose = prose.strip()
    return [{"id": f"{owner_id}_smt", "name": name, "prose": prose}] if prose else []


def _control(requirement: Requirement, cid: str) -> JSON:
    props = [prop("label", requirement.number, ns=None)]
    core = requirement.core if requirement.core_id is not None else None
    if core is not None:
        props.append(prop("hs-clause", core.number))
    if requirement.untitled:
        props.append(prop("untitled", "true"))
    if requirement.provisional:
        props.append(prop("provisional", "true"))
    control: JSON = {
        "id": cid,
        "class": requirement.kind,
        "title": requirement.title,
        "props": props,
    }
    if parts := _statement(cid, requirement.summary):
        control["parts"] = parts
    return control


def control_ids(requirements: list[Requirement]) -> dict[int, str]:
    """Each requirement's control id, unique within the catalog."""
    ids: dict[int, str] = {}
    used: set[str] = set()
    for requirement in requirements:
        cid = base = control_id(requirement.number)
        n = 1
        while cid in used:
            n += 1
            cid = f"{base}-{n}"
        used.add(cid)
        ids[requirement.pk] = cid
    return ids


def requirements_of(standard: Standard) -> list[Requirement]:
    return list(
        Requirement.objects.filter(standard=standard, retired=False)
        .select_related("core")
        .order_by("sort_key")
    )


def catalog_document(standard: Standard) -> JSON:
    """The OSCAL catalog of `standard` (three queries, whatever its size)."""
    requirements = requirements_of(standard)
    groups = list(RequirementGroup.objects.filter(standard=standard).order_by("sort_key"))
    ids = control_ids(requirements)
    nodes = {r.pk: _control(r, ids[r.pk]) for r in requirements}
    group_nodes: dict[int, JSON] = {}
    for group in groups:
        gid = group_id(group.code)
        node: JSON = {
            "id": gid,
            "class": "requirement-group",
            "title": group.title,
            "props": [prop("label", group.code, ns=None)],
        }
        if parts := _statement(gid, group.summary, "overview"):
            node["parts"] = parts
        group_nodes[group.pk] = node
    top: list[JSON] = []
    for requirement in requirements:
        node = nodes[requirement.pk]
        if requirement.parent_id is not None and requirement.parent_id in nodes:
            nodes[requirement.parent_id].setdefault("controls", []).append(node)
        elif requirement.group_id is not None and requirement.group_id in group_nodes:
            group_nodes[requirement.group_id].setdefault("controls", []).append(node)
        else:
            top.append(node)
    props = [
        prop("code", standard.code),
        prop("name", standard.name),
        prop("edition", standard.edition_label),
        prop("discipline", standard.discipline),
    ]
    if standard.publisher:
        props.append(prop("publisher", standard.publisher))
    if standard.provisional:
        props.append(prop("provisional", "true"))
    meta = metadata(standard.title, standard.edition, props=props)
    remarks = [standard.summary.strip(), NOTE]
    if standard.provisional and standard.provisional_note:
        remarks.append(f"Provisional: {standard.provisional_note.strip()}")
    meta["remarks"] = "\n\n".join(r for r in remarks if r)
    body: JSON = {"uuid": catalog_uuid(standard), "metadata": meta}
    if top:
        body["controls"] = top
    kept_groups = [group_nodes[g.pk] for g in groups]
    if kept_groups:
        body["groups"] = kept_groups
    return document("catalog", body)


__all__ = ["NS", "catalog_document", "catalog_uuid", "control_ids", "requirements_of"]
