"""Read-side of editions: which edition replaces which, and the transition mapping between two.

The mapping is shared reference data (any signed-in person may read it), read in a fixed number
of queries whatever its size.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from pdca.core.exceptions import NotFound
from pdca.standards import selectors as catalog_selectors
from pdca.standards.models import EditionMapping, Requirement, Standard

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from pdca.standards.selectors import Counts

#: The order in which changes are listed, most work first.
CHANGE_ORDER = ["new", "changed", "split", "merged", "moved", "removed", "same"]

#: What each change means for an organization's work, in the words pages and docs use.
CHANGE_MEANINGS = {
    "new": "A requirement the old edition did not have: work to start.",
    "changed": "Same place, different demands: review the work against the note.",
    "split": "One old requirement became several: the work is shared out and completed.",
    "merged": "Several old requirements became one: the work is brought together.",
    "moved": "Same demands under another number: the work carries over.",
    "removed": "No longer required: the work stays readable, nothing new is asked.",
    "same": "Same number, same demands: the work carries over as it is.",
}


@dataclass
class Line:
    """One line of the comparison: an old requirement, a new one, or both."""

    change: str
    old: Requirement | None
    new: Requirement | None
    note: str

    @property
    def change_label(self) -> str:
        return EditionMapping.Change(self.change).label

    @property
    def needs_work(self) -> bool:
        """The organization must act: its work on the old requirement does not carry as is."""
        return self.change not in EditionMapping.CARRIED and self.change != "removed"

    @property
    def provisional(self) -> bool:
        """Either side rests on facts not yet verified against the published standard."""
        return bool((self.old and self.old.provisional) or (self.new and self.new.provisional))


@dataclass
class Diff:
    """Two editions side by side."""

    old: Standard
    new: Standard
    lines: list[Line]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def whats_new(self) -> list[Line]:
        """New and changed requirements, in the new edition's order: what to work on."""
        return [line for line in self.lines if line.needs_work and line.new is not None]

    @property
    def removed(self) -> list[Line]:
        return [line for line in self.lines if line.change == "removed"]

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def transition(self) -> Standard | None:
        """The new edition when it replaces the old one: it carries the transition's dates and
        note (`transition_ends`, `new_certificates_until`, `transition_provisional`)."""
        return self.new if self.new.replaces_id == self.old.pk else None

    @property
    def provisional_lines(self) -> list[Line]:
        return [line for line in self.lines if line.provisional]

    @property
    def provisional(self) -> bool:
        """Anything in the comparison is provisional: either edition, the transition's dates,
        or a requirement on either side."""
        transition = self.transition
        return bool(
            self.old.provisional
            or self.new.provisional
            or (transition is not None and transition.transition_provisional)
            or self.provisional_lines
        )

    def only(self, changes: Iterable[str]) -> list[Line]:
        """The lines of the given changes (all of them when `changes` is empty)."""
        wanted = set(changes)
        return [line for line in self.lines if not wanted or line.change in wanted]

    def shares(self) -> list[tuple[str, int, float]]:
        """(change, count, percent of all lines) for each change that occurs, in CHANGE_ORDER:
        the summary bar."""
        total = self.total or 1
        return [(c, n, round(100 * n / total, 2)) for c, n in self.counts.items() if n]

    def targets_of(self) -> dict[int, list[Line]]:
        """Old requirement id to the lines that say what became of it."""
        found: dict[int, list[Line]] = defaultdict(list)
        for line in self.lines:
            if line.old is not None:
                found[line.old.pk].append(line)
        return found

    def sources_of(self) -> dict[int, list[Line]]:
        """New requirement id to the lines that say where it came from."""
        found: dict[int, list[Line]] = defaultdict(list)
        for line in self.lines:
            if line.new is not None:
                found[line.new.pk].append(line)
        return found


def parse_changes(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """The change kinds named in `values` (repeated or comma-separated), in CHANGE_ORDER, and
    the names that are not change kinds."""
    named = {v.strip().lower() for value in values for v in value.split(",") if v.strip()}
    return [c for c in CHANGE_ORDER if c in named], sorted(named - set(CHANGE_ORDER))


def successor_of(standard: Standard) -> Standard | None:
    return Standard.objects.filter(replaces=standard).first()


def editions_of(standard: Standard) -> list[Standard]:
    """Every edition of the same standard in the catalog, oldest first, by the `replaces`
    chain (two queries per step; chains are two or three editions long)."""
    chain = [standard]
    current = standard
    while current.replaces_id:
        previous = Standard.objects.filter(pk=current.replaces_id).first()
        if previous is None or previous in chain:
            break
        chain.insert(0, previous)
        current = previous
    current = standard
    while (nxt := successor_of(current)) is not None and nxt not in chain:
        chain.append(nxt)
        current = nxt
    return chain


def has_transition(old: Standard, new: Standard) -> bool:
    return EditionMapping.objects.filter(old_standard=old, new_standard=new).exists()


def _reading_order(row: EditionMapping) -> tuple[str, int, str]:
    """The new edition's order; a removed line at the place of its old number, after the lines
    that lead to that number."""
    old = row.old.sort_key if row.old is not None else ""
    if row.new is not None:
        return (row.new.sort_key, 0, old)
    return (old, 1, old)


def diff(old: Standard, new: Standard) -> Diff:
    """The transition mapping from `old` to `new`, in the new edition's order (one query).
    Raises NotFound when the catalog has no transition between them."""
    rows = list(
        EditionMapping.objects.filter(old_standard=old, new_standard=new)
        .select_related("old", "new")
        .order_by("pk")
    )
    if not rows:
        raise NotFound(f"The catalog has no transition from {old.full_name} to {new.full_name}.")
    # Sorted here on the requirements' own keys: the stored sort key joins two keys, and 4
    # must come before 4.1 whatever the second key says.
    rows.sort(key=_reading_order)
    lines = [Line(r.change, r.old, r.new, r.note) for r in rows]
    counts = Counter(line.change for line in lines)
    return Diff(old, new, lines, {c: counts.get(c, 0) for c in CHANGE_ORDER})


def standard_by_code(code: str) -> Standard:
    """A standard with the editions around it (one query); NotFound names the list command."""
    standard = Standard.objects.select_related("replaces", "replaced_by").filter(code=code).first()
    if standard is None:
        raise NotFound(f"No standard {code!r} in the catalog (`pdca standards list`).")
    return standard


def diff_by_codes(old_code: str, new_code: str) -> Diff:
    """The comparison of two editions named by code (three queries)."""
    return diff(standard_by_code(old_code), standard_by_code(new_code))


# --- the catalog's pages, API and CLI -----------------------------------------------------------


def catalog() -> QuerySet[WithAnnotations[Standard, Counts]]:
    """The standards with their counts and the editions around each (one query)."""
    return catalog_selectors.standards().select_related("replaces", "replaced_by")


def transition_pairs() -> set[tuple[int, int]]:
    """(old id, new id) of every transition the catalog has (one query)."""
    return set(
        EditionMapping.objects.order_by()
        .values_list("old_standard_id", "new_standard_id")
        .distinct()
    )


@dataclass(frozen=True)
class Editions:
    """Where a standard stands among its editions: the one it replaces and the one replacing
    it, and whether the catalog has the transition to compare each pair."""

    standard: Standard
    previous: Standard | None
    successor: Standard | None
    compare_previous: bool
    compare_successor: bool


def editions_around(standard: Standard, pairs: set[tuple[int, int]] | None = None) -> Editions:
    """The editions around `standard` (loaded with `replaces` and `replaced_by`, as
    `standard_by_code` and `catalog` do); `pairs` from `transition_pairs`, fetched (one query)
    when not given."""
    if pairs is None:
        pairs = transition_pairs()
    previous, successor = standard.replaces, standard.successor
    return Editions(
        standard,
        previous,
        successor,
        previous is not None and (previous.pk, standard.pk) in pairs,
        successor is not None and (standard.pk, successor.pk) in pairs,
    )


@dataclass(frozen=True)
class EditionLink:
    """What became of a requirement in the next edition (`direction` "next"), or where it came
    from in the previous one ("previous")."""

    direction: str
    standard: Standard
    change: str
    requirement: Requirement | None
    note: str

    @property
    def change_label(self) -> str:
        return EditionMapping.Change(self.change).label


def requirement_editions(requirement: Requirement) -> list[EditionLink]:
    """The transition lines of `requirement`, both ways (one query): first where it came from,
    then what became of it."""
    rows = EditionMapping.objects.filter(Q(old=requirement) | Q(new=requirement)).select_related(
        "old", "new", "old_standard", "new_standard"
    )
    links = []
    for row in rows:
        if row.new_id == requirement.pk:
            links.append(EditionLink("previous", row.old_standard, row.change, row.old, row.note))
        else:
            links.append(EditionLink("next", row.new_standard, row.change, row.new, row.note))
    links.sort(
        key=lambda link: (
            link.direction != "previous",
            link.requirement.sort_key if link.requirement else "",
        )
    )
    return links
