"""Read-side queries of the catalog: lists, trees, search, mappings, the integrated view.

The catalog is shared reference data: any signed-in person may read all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, Count, Q, QuerySet, Value, When

from pdca.standards.models import CoreClause, Mapping, Requirement, RequirementGroup, Standard

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Counts(TypedDict):
    clause_count: int
    control_count: int


#: Reading order inside a standard: clauses 4 to 10, then the Annex controls (sort_key already
#: sorts so; ordering by kind first keeps it so for catalogs that number controls like clauses).
CLAUSES_FIRST = Case(When(kind=Requirement.Kind.CLAUSE, then=Value(0)), default=Value(1))


def with_descendants(requirement_ids: set[int]) -> set[int]:
    """The requirements and every sub-requirement under them (9001 8.3 brings 8.3.1 … 8.3.6):
    one query per level of the tree."""
    found = set(requirement_ids)
    frontier = found
    while frontier:
        frontier = (
            set(Requirement.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def standards() -> QuerySet[WithAnnotations[Standard, Counts]]:
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
        "standard__name", "standard__edition", CLAUSES_FIRST, "sort_key"
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
    """The clauses in reading order (each with `depth`), and the Annex groups with controls
    (`group.requirements.all()`, already fetched).

    Always three queries, with or without groups: `prefetch_related` skips its query when there
    are no groups, which would make a standard without Annex controls look cheaper than one
    with them.
    """
    clauses = list(
        standard.requirements.filter(kind="clause").select_related("core").order_by("sort_key")
    )
    groups = list(standard.groups.order_by("sort_key"))
    controls: dict[int, list[Requirement]] = {}
    for control in standard.requirements.filter(kind="control", group__isnull=False).order_by(
        "sort_key"
    ):
        if control.group_id is not None:  # always, as filtered
            controls.setdefault(control.group_id, []).append(control)
    for group in groups:
        # What prefetch_related stores, so callers read `group.requirements.all()` as usual
        # (Django's private prefetch cache, which the stubs do not declare).
        fetched = group.requirements.all()
        fetched._result_cache = controls.get(group.pk, [])
        fetched._prefetch_done = True  # type: ignore[attr-defined]
        group._prefetched_objects_cache = {"requirements": fetched}  # type: ignore[attr-defined]
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
            .order_by("standard__name", "standard__edition", "sort_key")
        ):
            links.append(Link(other, "core", "equivalent"))
    explicit = Mapping.objects.filter(Q(source=requirement) | Q(target=requirement)).select_related(
        "source__standard", "target__standard"
    )
    mapped = []
    for mapping in explicit:
        other = mapping.target if mapping.source_id == requirement.pk else mapping.source
        mapped.append(Link(other, "mapping", mapping.relation, mapping.note))
    # The other side is the source or the target depending on the row, so sort here.
    mapped.sort(key=lambda link: _reading_key(link.requirement))
    return links + mapped


def _reading_key(r: Requirement) -> tuple[str, str, int, str]:
    return (r.standard.name, r.standard.edition, 0 if r.kind == "clause" else 1, r.sort_key)


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
            match = by_core.get((standard.pk, core.pk))
            cells.append(IntegratedCell(standard, match, additions(match) if match else []))
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
        for r in standard.requirements.exclude(documented_information=[]).order_by(
            CLAUSES_FIRST, "sort_key"
        )
        for item in r.documented_information
    ]
