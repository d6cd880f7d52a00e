"""API of the standards catalog: standards with their editions, their requirement trees,
requirements with their links, the integrated view, the mandatory documented information, and
the transition from an edition to the next.

The catalog is shared reference data: every signed-in person may read all of it, and nobody
writes it through the API (catalogs are loaded from files with `pdca standards load`).
"""

import datetime as dt
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field, WithJsonSchema

from pdca.core.api import Page, responses
from pdca.core.exceptions import ValidationFailed
from pdca.standards import selectors
from pdca.standards.editions import selectors as editions
from pdca.standards.editions.schemas import (
    AmendmentOut,
    ChangeKind,
    EditionDiffOut,
    EditionTransitionOut,
    line_out,
    transition_out,
)
from pdca.standards.models import Mapping, Requirement, Standard

router = Router(tags=["standards"])


# --- schemas ------------------------------------------------------------------------------


class DocumentedInformationOut(Schema):
    type: Literal["maintain", "retain"]
    what: str


class StandardOut(Schema):
    code: str
    name: str
    title: str
    edition: str
    edition_label: str = Field(description="The edition with its amendments: 2015+A1:2024")
    full_name: str = Field(description="ISO 9001:2015+A1:2024")
    amendments: list[AmendmentOut] = Field(description="Amendments that are part of this edition")
    published_on: dt.date | None
    provisional: bool = Field(
        description="The catalog of this edition rests on facts not yet verified against the "
        "published standard"
    )
    provisional_note: str
    publisher: str
    discipline: Standard.Discipline
    structure: str
    summary: str
    replaces: str | None = Field(description="Code of the edition this one replaces")
    replaced_by: str | None = Field(description="Code of the edition that replaces this one")
    transition: EditionTransitionOut | None = Field(
        description="The transition from the replaced edition to this one (null when this "
        "edition replaces none)"
    )
    clause_count: int
    control_count: int

    @staticmethod
    def resolve_replaces(obj: Standard) -> str | None:
        return obj.replaces.code if obj.replaces else None

    @staticmethod
    def resolve_replaced_by(obj: Standard) -> str | None:
        successor = obj.successor
        return successor.code if successor else None

    @staticmethod
    def resolve_transition(obj: Standard) -> dict | None:
        return transition_out(obj)


class GroupOut(Schema):
    id: str = Field(description="Group code, e.g. A.5")
    title: str
    summary: str


class RequirementNode(Schema):
    id: int
    number: str
    title: str
    untitled: bool = Field(description="The standard gives no title; ours is descriptive")
    kind: Requirement.Kind
    parent: str | None = Field(description="Number of the parent requirement")
    group: str | None = Field(description="Code of the Annex group (controls only)")
    core: str | None = Field(description="Number of the Harmonized Structure core clause")
    depth: int
    summary: str
    adds: str = Field(description="What this standard adds to the core clause")
    documented_information: list[DocumentedInformationOut]
    retired: bool
    provisional: bool = Field(
        description="Number, title or place not yet verified against the published standard"
    )


class StandardDetail(StandardOut):
    groups: list[GroupOut]
    requirements: list[RequirementNode] = Field(
        description="Clauses, then Annex controls group by group, in reading order"
    )

    # The endpoint reads the tree once and hangs it on the standard (`tree_groups`,
    # `tree_nodes`): the model's own `groups` and `requirements` are managers.
    @staticmethod
    def resolve_groups(obj: Standard) -> list[dict]:
        return obj.tree_groups  # type: ignore[attr-defined]

    @staticmethod
    def resolve_requirements(obj: Standard) -> list[dict]:
        return obj.tree_nodes  # type: ignore[attr-defined]


class RequirementOut(Schema):
    id: int
    standard: str = Field(description="Standard code")
    number: str
    title: str
    kind: Requirement.Kind
    group: str | None = Field(description="Code of the Annex group (controls only)")
    core: str | None = Field(description="Number of the Harmonized Structure core clause")
    summary: str
    documented_information: list[DocumentedInformationOut]
    provisional: bool = Field(
        description="Number, title or place not yet verified against the published standard"
    )

    @staticmethod
    def resolve_standard(obj: Requirement) -> str:
        return obj.standard.code

    @staticmethod
    def resolve_group(obj: Requirement) -> str | None:
        return obj.group.code if obj.group else None

    @staticmethod
    def resolve_core(obj: Requirement) -> str | None:
        return obj.core.number if obj.core else None


class RequirementRef(Schema):
    id: int
    standard: str = Field(description="Standard code")
    number: str
    title: str

    @staticmethod
    def resolve_standard(obj: Requirement) -> str:
        return obj.standard.code


class LinkOut(Schema):
    requirement: RequirementRef = Field(description="The requirement at the other end")
    via: Literal["core", "mapping"] = Field(
        description="A shared Harmonized Structure core clause, or an explicit mapping"
    )
    relation: Mapping.Relation
    note: str


class RequirementDetail(RequirementOut):
    untitled: bool
    parent: str | None = Field(description="Number of the parent requirement")
    depth: int
    adds: str = Field(description="What this standard adds to the core clause")
    retired: bool
    links: list[LinkOut] = Field(
        description="Requirements of other standards sharing its core clause, then explicit "
        "mappings (read both ways)"
    )

    @staticmethod
    def resolve_parent(obj: Requirement) -> str | None:
        return obj.parent.number if obj.parent else None

    @staticmethod
    def resolve_links(obj: Requirement) -> list[selectors.Link]:
        return selectors.links_of(obj)


class RequirementFilter(Schema):
    standard: str | None = Field(None, max_length=60, description="Standard code")
    kind: Requirement.Kind | None = None
    group: str | None = Field(None, max_length=20, description="Annex group code, e.g. A.5")
    documented: Literal["any", "maintain", "retain"] | None = Field(
        None, description="Demands documented information (of that type)"
    )
    core: str | None = Field(None, max_length=20, description="Core clause number, e.g. 7.2")
    q: str | None = Field(None, max_length=200, description="Text in number, title or summary")


class CoreClauseOut(Schema):
    number: str
    title: str
    summary: str


class AdditionOut(Schema):
    id: int
    number: str
    title: str


class IntegratedRequirement(AdditionOut):
    adds: str


class IntegratedCellOut(Schema):
    standard: str = Field(description="Standard code")
    requirement: IntegratedRequirement | None = Field(
        description="The standard's clause for this core clause, if it has one"
    )
    additions: list[AdditionOut] = Field(description="Sub-clauses the standard adds under it")


class IntegratedRowOut(Schema):
    core: CoreClauseOut
    cells: list[IntegratedCellOut]


class IntegratedOut(Schema):
    standards: list[StandardOut]
    rows: list[IntegratedRowOut]


#: One or more standard codes separated by commas. The pattern is documented only: the endpoint
#: checks the codes itself, so that its problem names the field `standards` and the unknown codes.
StandardCodes = Annotated[
    str, WithJsonSchema({"type": "string", "pattern": r"^[a-z0-9-]+(,[a-z0-9-]+)*$"})
]


class DocumentedItemOut(Schema):
    requirement_id: int
    number: str
    title: str
    type: Literal["maintain", "retain"]
    what: str


# --- helpers ------------------------------------------------------------------------------


def _standard(code: str) -> Standard:
    return get_object_or_404(editions.catalog(), code=code)


def _node(r: Requirement, numbers: dict[int, str], group: str | None) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "title": r.title,
        "untitled": r.untitled,
        "kind": r.kind,
        "parent": numbers.get(r.parent_id) if r.parent_id else None,
        "group": group,
        "core": r.core.number if r.core else None,
        "depth": r.depth,
        "summary": r.summary,
        "adds": r.adds,
        "documented_information": r.documented_information,
        "retired": r.retired,
        "provisional": r.provisional,
    }


def _chosen_standards(values: list[str]) -> list[Standard]:
    """The standards named in `?standards=a,b` (or repeated), in the order given."""
    codes = list(dict.fromkeys(c.strip() for v in values for c in v.split(",") if c.strip()))
    if not codes:
        raise ValidationFailed.single("standards", "Name at least one standard code.", "required")
    found = {s.code: s for s in editions.catalog().filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationFailed.single(
            "standards", f"Unknown standard code(s): {', '.join(unknown)}.", "unknown"
        )
    return [found[c] for c in codes]


# --- endpoints ----------------------------------------------------------------------------


@router.get("/standards/", response=responses(list[StandardOut]))
@paginate(Page)
def list_standards(request):
    """The loaded standards with their numbers of clauses and Annex controls, their edition
    (with amendments) and the editions they replace or are replaced by."""
    return editions.catalog()


@router.get("/standards/{code}/", response=responses(StandardDetail))
def get_standard(request, code: str):
    """A standard with its Annex groups and its whole requirement tree in reading order."""
    standard = _standard(code)
    clauses, groups = selectors.tree(standard)
    controls = [(g, r) for g in groups for r in g.requirements.all()]
    numbers = {r.pk: r.number for r in clauses} | {r.pk: r.number for _, r in controls}
    standard.tree_groups = [  # type: ignore[attr-defined]  # read by StandardDetail
        {"id": g.code, "title": g.title, "summary": g.summary} for g in groups
    ]
    standard.tree_nodes = [_node(r, numbers, None) for r in clauses] + [  # type: ignore[attr-defined]
        _node(r, numbers, g.code) for g, r in controls
    ]
    return standard


@router.get("/requirements/", response=responses(list[RequirementOut]))
@paginate(Page)
def list_requirements(request, filters: Query[RequirementFilter]):
    """Requirements of every standard, filtered; filters combine."""
    return selectors.requirements(**filters.model_dump())


@router.get("/requirements/{requirement_id}/", response=responses(RequirementDetail))
def get_requirement(request, requirement_id: int):
    """One requirement with the requirements of other standards it links to: those sharing its
    Harmonized Structure core clause, and explicit mappings read both ways."""
    return get_object_or_404(selectors.requirements(), pk=requirement_id)


@router.get("/integrated/", response=responses(IntegratedOut))
def integrated(
    request,
    standards: list[StandardCodes] = Query(  # noqa: B008
        ..., description="Standard codes, comma-separated or repeated"
    ),
):
    """For each Harmonized Structure core clause, the matching clause of each chosen standard
    side by side, with the sub-clauses each standard adds under it."""
    chosen = _chosen_standards(standards)
    rows = selectors.integrated_view(chosen)
    return {
        "standards": chosen,
        "rows": [
            {
                "core": row.core,
                "cells": [
                    {
                        "standard": cell.standard.code,
                        "requirement": cell.requirement,
                        "additions": cell.additions,
                    }
                    for cell in row.cells
                ],
            }
            for row in rows
        ],
    }


@router.get(
    "/standards/{code}/documented-information/",
    response=responses(list[DocumentedItemOut]),
)
@paginate(Page)
def documented_information(request, code: str):
    """The documented information a standard demands: to maintain (documents) and to retain
    (records), one row per item, in reading order."""
    standard = get_object_or_404(Standard, code=code)
    return [
        {
            "requirement_id": item.requirement.pk,
            "number": item.requirement.number,
            "title": item.requirement.title,
            "type": item.type,
            "what": item.what,
        }
        for item in selectors.documented_information(standard)
    ]


@router.get("/standards/{old}/transition/{new}/", response=responses(EditionDiffOut))
def transition(
    request,
    old: str,
    new: str,
    change: list[ChangeKind] | None = Query(  # noqa: B008
        None, description="Only lines of these changes (repeat the parameter for several)"
    ),
):
    """The transition from edition `old` to edition `new`: every line (an old requirement, a
    new one, or both) with its change and our note, the number of lines of each change, and
    what is new. 404 when either code is unknown or the catalog has no transition between
    them."""
    diff = editions.diff_by_codes(old, new)
    return {
        "old": diff.old,
        "new": diff.new,
        "transition": transition_out(diff.new) if diff.transition else None,
        "provisional": diff.provisional,
        "total": diff.total,
        "counts": diff.counts,
        "whats_new": [line_out(line) for line in diff.whats_new],
        "lines": [line_out(line) for line in diff.only(change or [])],
    }
