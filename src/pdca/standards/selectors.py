"""Read-side queries of the catalog: lists, trees, search, mappings, the integrated view.

The catalog is shared reference data: any signed-in person may read all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from pdca.standards.models import CoreClause, Mapping, Requirement, RequirementGroup, Standard


def standards() -> QuerySet[Standard]:
    return Standard.objects.annotate(
        clause_count=Count("requirements", filter=Q(requirements__kind="clause")),
        control_count=Count("requirements", filter=Q(requirements__kind="control")),
    ).order_by("name", "edition")


def requirements(
    *,
    standard: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    documented: str | None = None,
    core: str | None = None,
    q: str | None = None,
) -> QuerySet[Requirement]:
    """Requirements filtered by standard code, kind, group code, documented information
    (`any`, `maintain` or `retain`), core clause number and text in number, title or summary."""
    qs = Requirement.objects.select_related("standard", "group", "core", "parent").order_by(
        "standard__name", "standard__edition", "sort_key"
    )
    if standard:
        qs = qs.filter(standard__code=standard)
    if kind:
        qs = qs.filter(kind=kind)
    if group:
        qs = qs.filter(group__code=group)
    if core:
        qs = qs.filter(core__number=core)
    if documented == "any":
        qs = qs.exclude(documented_information=[])
    elif documented in {"maintain", "retain"}:
        # JSON containment is not portable to SQLite; the text form is the same on both.
        qs = qs.filter(documented_information__icontains=f'"type": "{documented}"')
    if q:
        q = q.strip()
        qs = qs.filter(Q(number__istartswith=q) | Q(title__icontains=q) | Q(summary__icontains=q))
    return qs


def tree(standard: Standard) -> tuple[list[Requirement], list[RequirementGroup]]:
    """The clauses in reading order (each with `depth`), and the Annex groups with controls."""
    clauses = list(
        standard.requirements.filter(kind="clause").select_related("core").order_by("sort_key")
    )
    groups = list(
        standard.groups.prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.order_by("sort_key"))
        ).order_by("sort_key")
    )
    return clauses, groups


@dataclass(frozen=True)
class Link:
    """A requirement of another standard related to the one at hand, and why."""

    requirement: Requirement
    via: str  # "core" or "mapping"
    relation: str
    note: str = ""


def links_of(requirement: Requirement) -> list[Link]:
    """Mappings read both ways, plus every requirement sharing the same core clause."""
    links: list[Link] = []
    if requirement.core_id:
        for other in (
            Requirement.objects.filter(core_id=requirement.core_id)
            .exclude(standard_id=requirement.standard_id)
            .select_related("standard")
            .order_by("standard__name")
        ):
            links.append(Link(other, "core", "equivalent"))
    explicit = Mapping.objects.filter(Q(source=requirement) | Q(target=requirement)).select_related(
        "source__standard", "target__standard"
    )
    for mapping in explicit:
        other = mapping.target if mapping.source_id == requirement.pk else mapping.source
        links.append(Link(other, "mapping", mapping.relation, mapping.note))
    return links


@dataclass
class IntegratedCell:
    standard: Standard
    requirement: Requirement | None
    additions: list[Requirement] = field(default_factory=list)


@dataclass
class IntegratedRow:
    core: CoreClause
    cells: list[IntegratedCell]


def integrated_view(chosen: list[Standard]) -> list[IntegratedRow]:
    """For each core clause, the matching requirement of each chosen standard side by side,
    with the sub-clauses that standard adds under it."""
    reqs = list(Requirement.objects.filter(standard__in=chosen, kind="clause").order_by("sort_key"))
    by_core: dict[tuple[int, int], Requirement] = {}
    children: dict[int, list[Requirement]] = {}
    for r in reqs:
        if r.core_id:
            by_core[(r.standard_id, r.core_id)] = r
        if r.parent_id:
            children.setdefault(r.parent_id, []).append(r)

    def additions(r: Requirement) -> list[Requirement]:
        found = []
        for child in children.get(r.pk, []):
            if not child.core_id:
                found.append(child)
                found.extend(additions(child))
        return found

    rows = []
    for core in CoreClause.objects.order_by("sort_key"):
        cells = []
        for standard in chosen:
            r = by_core.get((standard.pk, core.pk))
            cells.append(IntegratedCell(standard, r, additions(r) if r else []))
        rows.append(IntegratedRow(core, cells))
    return rows


@dataclass(frozen=True)
class DocumentedItem:
    requirement: Requirement
    type: str
    what: str


def documented_information(standard: Standard) -> list[DocumentedItem]:
    """The mandatory documented information of a standard, one line per item."""
    return [
        DocumentedItem(r, item["type"], item["what"])
        for r in standard.requirements.exclude(documented_information=[]).order_by("sort_key")
        for item in r.documented_information
    ]
