"""What the assessment pages show, apart from the item rows (rows.py): the items query, the
filters, and readiness laid out as a chart and a clause × standard table.

Kept apart from views.py so the views stay thin. Everything here works on lists already in
memory: the assessment page reads its items once (with their requirements and owners) and
derives readiness, filters and rows from that one list, so its query count does not grow with
the number of items.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

from pdca.accounts.models import User
from pdca.assessments import charts
from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.readiness import Readiness, Score, clause_key
from pdca.assessments.services import OPEN_STATUSES
from pdca.standards.models import Requirement, RequirementGroup, Standard, number_sort_key

#: What the item table and readiness read of a requirement.
_REQUIREMENT_FIELDS = ("id", "number", "title", "kind", "standard_id", "group_id", "sort_key")
#: What the page never shows of an owner (their name and e-mail are all it needs).
_UNSHOWN_OWNER_FIELDS = ("password", "last_login", "is_superuser", "is_staff", "date_joined")


def load_items(
    assessment: GapAssessment, *, pk: int | None = None, people: Iterable[User] = ()
) -> list[GapItem]:
    """The items of an assessment (or the one item `pk`), with their owners and the
    requirements they cover (`item.covered`), each with its standard and Annex group: five
    queries, whatever the number of items. Owners are taken from `people` (the members the
    page lists anyway) and only those not among them are read.

    The page reads this on every request, so it avoids what costs most per row: the coverage
    comes from the link table as plain pairs (a prefetch would build two related managers and
    a queryset per item), and standards and groups are read once and shared rather than
    joined onto each of the ~1,400 requirements an assessment of seven standards covers."""
    found = GapItem.objects.filter(assessment=assessment).defer("created_at")
    links = GapItem.covers.through.objects.filter(gapitem__assessment=assessment)
    requirements = Requirement.objects.only(*_REQUIREMENT_FIELDS).filter(
        gap_items__assessment=assessment
    )
    if pk is not None:
        found = found.filter(pk=pk)
        links = links.filter(gapitem_id=pk)
        requirements = requirements.filter(gap_items__pk=pk)
    items = list(found)
    pairs = list(links.values_list("gapitem_id", "requirement_id"))
    by_pk = {r.pk: r for r in requirements}
    standard_ids = {r.standard_id for r in by_pk.values()}
    standards = {s.pk: s for s in Standard.objects.defer("summary").filter(pk__in=standard_ids)}
    groups = {
        g.pk: g
        for g in RequirementGroup.objects.defer("summary").filter(standard_id__in=standard_ids)
    }
    # Related objects go straight into Django's cache of each row, as a prefetch puts them:
    # assigning through the attribute checks routers and types, a row at a time.
    standard_of, group_of = _cache_of(Requirement.standard), _cache_of(Requirement.group)
    for r in by_pk.values():
        standard_of(r, standards[r.standard_id])
        if r.group_id:
            group_of(r, groups[r.group_id])
    _attach_owners(items, people)
    covered: dict[int, list[Requirement]] = {item.pk: [] for item in items}
    for item_id, requirement_id in pairs:
        covered[item_id].append(by_pk[requirement_id])
    order = _covered_order()
    requirement_of = _cache_of(GapItem.requirement)
    for item in items:
        # Kept as a plain list: each `item.covers` access builds a new related manager.
        item.covered = sorted(covered[item.pk], key=order)
        named = by_pk.get(item.requirement_id)
        if named is not None:
            requirement_of(item, named)
    # An item always covers the requirement that names it; should one not, read those at once.
    unnamed = [i for i in items if not GapItem.requirement.is_cached(i)]
    if unnamed:
        extra = Requirement.objects.select_related("standard", "group").in_bulk(
            [i.requirement_id for i in unnamed]
        )
        for item in unnamed:
            item.requirement = extra[item.requirement_id]
    return items


def _attach_owners(items: list[GapItem], people: Iterable[User]) -> None:
    """Set each item's owner from `people`, reading the others (former members) at once: a
    join would build a user per row, a tenth of the page."""
    known = {u.pk: u for u in people}
    missing = {i.owner_id for i in items if i.owner_id and i.owner_id not in known}
    if missing:
        known.update(User.objects.defer(*_UNSHOWN_OWNER_FIELDS).in_bulk(missing))
    owner_of = _cache_of(GapItem.owner)
    for item in items:
        owner_of(item, known[item.owner_id] if item.owner_id else None)


def _cache_of(descriptor: Any) -> Callable[[Any, Any], None]:
    """Sets a foreign key's related object in a row's cache (as select_related does)."""
    return descriptor.field.set_cached_value


def _covered_order():
    """The order `item.covered` keeps: by standard (name, edition), then catalog order."""
    return lambda r: (r.standard.name, r.standard.edition, r.sort_key)


@functools.cache
def _requirement_path() -> str:
    return reverse("standards:requirement", args=["CODE", "NUMBER"])


def requirement_url(requirement: Requirement) -> str:
    """The catalog page of a requirement (one reverse() per process, not one per row)."""
    path = _requirement_path()
    return path.replace("CODE", quote(requirement.standard.code)).replace(
        "NUMBER", quote(requirement.number)
    )


def label(item: GapItem) -> str:
    """How people name an item: its requirement's standard and number."""
    return f"{item.requirement.standard.name} {item.requirement.number}"


def is_overdue(item: GapItem, today: dt.date) -> bool:
    return (
        item.status in OPEN_STATUSES and item.target_date is not None and item.target_date < today
    )


# --- filters ------------------------------------------------------------------------------


@dataclass
class Filters:
    """The item filters of the assessment page, read from a query string."""

    status: str = ""
    owner: str = ""  # a user id, or "none" for unassigned items
    standard: str = ""  # a standard code
    clause: str = ""  # "7", or an Annex group such as "A.5"
    q: str = ""
    overdue: bool = False

    NAMES = ("status", "owner", "standard", "clause", "q", "overdue")

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> Filters:
        status = data.get("status", "")
        return cls(
            status=status if status in GapItem.Status.values else "",
            owner=(data.get("owner") or "").strip(),
            standard=(data.get("standard") or "").strip(),
            clause=(data.get("clause") or "").strip(),
            q=(data.get("q") or "").strip()[:200],
            overdue=data.get("overdue") in ("1", "on", "true"),
        )

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in self.NAMES)

    def pairs(self) -> list[tuple[str, str]]:
        """The active filters as query-string pairs."""
        found = [(n, getattr(self, n)) for n in self.NAMES if getattr(self, n)]
        return [(n, "1" if v is True else v) for n, v in found]

    def querystring(self) -> str:
        return urlencode(self.pairs())

    def keep(self, item: GapItem, today: dt.date) -> bool:
        if self.status and item.status != self.status:
            return False
        if self.owner:
            if self.owner == "none":
                if item.owner_id is not None:
                    return False
            elif str(item.owner_id) != self.owner:
                return False
        covers = item.covered
        if self.standard and all(r.standard.code != self.standard for r in covers):
            return False
        if self.clause and all(clause_key(r) != self.clause for r in covers):
            return False
        if self.overdue and not is_overdue(item, today):
            return False
        if self.q:
            needle = self.q.casefold()
            haystack = " ".join(
                [item.notes, item.justification, item.evidence]
                + [f"{r.standard.name} {r.number} {r.title}" for r in covers]
            ).casefold()
            if needle not in haystack:
                return False
        return True


def clause_choices(items: Iterable[GapItem]) -> list[str]:
    """The clauses and Annex groups the items sit under, in reading order."""
    keys = {clause_key(r) for item in items for r in item.covered}
    return sorted(keys, key=lambda k: (not k[0].isdigit(), number_sort_key(k)))


# --- readiness ----------------------------------------------------------------------------


@dataclass
class Cell:
    percent: float | None
    applicable: int = 0

    @property
    def text(self) -> str:
        return "n/a" if self.percent is None else f"{self.percent:g}%"

    @property
    def colour(self) -> str:
        return charts.colour(self.percent)


@dataclass
class ClauseLine:
    key: str
    title: str
    overall: Cell
    cells: list[Cell | None]  # one per standard; None where the standard has no such clause


def clause_table(readiness: Readiness) -> list[ClauseLine]:
    """Readiness by clause (rows) and standard (columns), with the integrated figure."""
    per_standard = {
        (s.standard.pk, c.key): c.score for s in readiness.by_standard for c in s.clauses
    }
    lines = []
    for clause in readiness.by_clause:
        if clause.key.isdigit():
            name, key = None, clause.key
        else:  # an Annex group, e.g. "ISO/IEC 27001 A.5": only its own standard has it
            name, _, key = clause.key.rpartition(" ")
        cells: list[Cell | None] = []
        for s in readiness.by_standard:
            score = per_standard.get((s.standard.pk, key))
            if score is None or (name is not None and s.standard.name != name):
                cells.append(None)
            else:
                cells.append(_cell(score))
        lines.append(ClauseLine(clause.key, clause.title, _cell(clause.score), cells))
    return lines


def _cell(score: Score) -> Cell:
    return Cell(score.percent, score.applicable)


def readiness_chart(readiness: Readiness) -> SafeString:
    return charts.bar_chart(
        [(f"{c.key} {c.title}", c.score.percent) for c in readiness.by_clause],
        title="Readiness by clause",
    )


# --- the items table, by clause -------------------------------------------------------------

#: Up to this many rows shown, every clause group starts open; more, and they start closed
#: (people open the clauses they work on, and the page remembers which).
OPEN_UP_TO = 40


@dataclass
class RowGroup:
    """The rows of one top-level clause or Annex group, shown as a collapsible section."""

    key: str  # "7", or "ISO/IEC 27001 A.5": as readiness keys its clauses
    title: str
    readiness: Cell
    rows: list  # rows.Row
    open: bool = False
    html: str = ""  # the rows' markup (rows.render_rows, safe)

    @property
    def anchor(self) -> str:
        return "clause-" + "".join(c if c.isalnum() else "-" for c in self.key.lower())

    @property
    def number(self) -> str:
        return self.key.rpartition(" ")[2]

    @property
    def standard(self) -> str:
        """The standard of an Annex group ("" for a clause every standard shares)."""
        return self.key.rpartition(" ")[0]

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.overdue)


def group_key(requirement: Requirement) -> str:
    """The readiness clause an item's row sits under: the top-level clause, or the Annex
    group within its standard (27001 and 42001 both have an "A.5")."""
    key = clause_key(requirement)
    if requirement.kind == Requirement.Kind.CONTROL and requirement.group_id:
        return f"{requirement.standard.name} {key}"
    return key


def group_rows(rows: Iterable, readiness: Readiness, *, filtered: bool) -> list[RowGroup]:
    """The rows by clause, in the order of the readiness figures; every group open when the
    rows are filtered or few."""
    scores = {c.key: c for c in readiness.by_clause}
    order = {key: i for i, key in enumerate(scores)}
    found: dict[str, RowGroup] = {}
    for row in rows:
        key = group_key(row.item.requirement)
        group = found.get(key)
        if group is None:
            clause = scores.get(key)
            title = clause.title if clause else ""
            cell = _cell(clause.score) if clause else Cell(None)
            group = found[key] = RowGroup(key, title, cell, [])
        group.rows.append(row)
    groups = sorted(found.values(), key=lambda g: (order.get(g.key, len(order)), g.key))
    shown = sum(len(g.rows) for g in groups)
    for group in groups:
        group.open = filtered or shown <= OPEN_UP_TO
    return groups


def readiness_context(readiness: Readiness) -> dict:
    """What the readiness summary (a fragment of its own, swapped after every save) shows."""
    counts = readiness.overall.counts
    return {
        "readiness": readiness,
        "overall": _cell(readiness.overall),
        "by_standard": [(s.standard, _cell(s.score)) for s in readiness.by_standard],
        "status_counts": [
            (value, label, counts.get(value, 0)) for value, label in GapItem.Status.choices
        ],
        "clause_table": clause_table(readiness),
        "chart": readiness_chart(readiness),
    }
