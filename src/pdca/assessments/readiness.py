"""Readiness: how far an assessment says the management system is, per clause, per standard
and overall.

The rule (docs/gap-assessment.md): an implemented item counts 1, a partial one 0.5, planned
and not started 0; a not-applicable item leaves the denominator. An item shared by several
standards (a common core clause) counts once overall and once for each standard it covers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, QuerySet

from pdca.assessments.models import GapAssessment, GapItem
from pdca.standards.models import CoreClause, Requirement, Standard, number_sort_key

WEIGHTS: dict[str, float] = {
    GapItem.Status.IMPLEMENTED: 1.0,
    GapItem.Status.PARTIAL: 0.5,
    GapItem.Status.PLANNED: 0.0,
    GapItem.Status.NOT_STARTED: 0.0,
}
#: Read once: `Status.values` is rebuilt on every access, and a Score is made per clause.
STATUSES = tuple(GapItem.Status.values)


@dataclass
class Score:
    """Counts of items by status and the readiness they give."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def add(self, status: str) -> None:
        self.counts[status] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        return self.total - self.counts[GapItem.Status.NOT_APPLICABLE]

    @property
    def points(self) -> float:
        return sum(WEIGHTS.get(status, 0.0) * n for status, n in self.counts.items())

    @property
    def percent(self) -> float | None:
        """Readiness in percent (one decimal), or None when nothing applies."""
        if not self.applicable:
            return None
        # Half-way cases round up (56.25 gives 56.3), as people expect; round() on a float
        # rounds them to even, and inconsistently where the binary value is inexact.
        exact = Decimal(str(self.points)) * 100 / self.applicable
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def as_dict(self) -> dict:
        return {
            "percent": self.percent,
            "applicable": self.applicable,
            "points": self.points,
            "counts": dict(self.counts),
        }


def score(statuses: Iterable[str]) -> Score:
    result = Score()
    for status in statuses:
        result.add(status)
    return result


@dataclass
class ClauseScore:
    key: str  # "7", or an Annex group such as "A.5"
    title: str
    score: Score


@dataclass
class StandardScore:
    standard: Standard
    score: Score
    clauses: list[ClauseScore]


@dataclass
class Readiness:
    overall: Score
    by_clause: list[ClauseScore]
    by_standard: list[StandardScore]

    def as_dict(self) -> dict:
        def clauses(items: list[ClauseScore]) -> list[dict]:
            return [{"clause": c.key, "title": c.title, **c.score.as_dict()} for c in items]

        return {
            "overall": self.overall.as_dict(),
            "by_clause": clauses(self.by_clause),
            "by_standard": [
                {
                    "standard": s.standard.code,
                    "name": str(s.standard),
                    **s.score.as_dict(),
                    "clauses": clauses(s.clauses),
                }
                for s in self.by_standard
            ],
        }


def clause_key(requirement: Requirement) -> str:
    """The top-level clause ("4" … "10") or Annex group ("A.5") a requirement sits under."""
    if requirement.kind == Requirement.Kind.CONTROL and requirement.group:
        return requirement.group.code
    return requirement.number.split(".")[0]


def _sort(key: str) -> str:
    return number_sort_key(key)


def items_for_readiness(assessment: GapAssessment) -> QuerySet[GapItem]:
    # `.all()` first: the stubs' manager copy of `prefetch_related` rejects a Prefetch.
    return (
        assessment.items.all()
        .prefetch_related(
            Prefetch("covers", queryset=Requirement.objects.select_related("group", "standard"))
        )
        .only("id", "status", "assessment_id", "organization_id")
    )


def _covered(item: GapItem) -> list[Requirement]:
    covered = getattr(item, "covered", None)
    return covered if covered is not None else list(item.covers.all())


def _statuses_and_covers(assessment: GapAssessment, items) -> list[tuple[str, list[Requirement]]]:
    """(status, requirements covered) of each item: from the given items (as `load_items` reads
    them, or with their covers prefetched), or read in two queries without building an object
    per link."""
    if items is not None:
        return [(item.status, _covered(item)) for item in items]
    links = GapItem.covers.through.objects.filter(gapitem__assessment=assessment)
    requirements = {
        r.pk: r
        for r in Requirement.objects.filter(pk__in=links.values("requirement_id"))
        .select_related("group", "standard")
        .only(
            "number",
            "kind",
            "standard_id",
            "group_id",
            "standard__name",
            "group__code",
            "group__title",
        )
    }
    found: dict[int, tuple[str, list[Requirement]]] = {}
    for item_id, status, requirement_id in links.order_by("gapitem_id", "id").values_list(
        "gapitem_id", "gapitem__status", "requirement_id"
    ):
        found.setdefault(item_id, (status, []))[1].append(requirements[requirement_id])
    return list(found.values())


def compute_readiness(
    assessment: GapAssessment, standards: list[Standard], items=None
) -> Readiness:
    """Readiness of `assessment` for the given (active) standards, in three queries (one when
    `items` come with their covers prefetched)."""
    standard_ids = {s.pk for s in standards}
    pairs = _statuses_and_covers(assessment, items)
    core_titles = dict(
        CoreClause.objects.filter(number__in=[str(n) for n in range(4, 11)]).values_list(
            "number", "title"
        )
    )
    overall = Score()
    clause_scores: dict[str, Score] = {}
    clause_titles: dict[str, str] = {}
    per_standard: dict[int, Score] = {pk: Score() for pk in standard_ids}
    per_standard_clause: dict[int, dict[str, Score]] = {pk: {} for pk in standard_ids}
    # Titles per standard: 27001 and 42001 both have an Annex group "A.5", with other titles.
    per_standard_titles: dict[int, dict[str, str]] = {pk: {} for pk in standard_ids}
    for status, covers in pairs:
        covered = [r for r in covers if r.standard_id in standard_ids]
        if not covered:
            continue  # only of dropped standards: history, not readiness
        overall.add(status)
        keys_seen: set[str] = set()
        standards_seen: set[int] = set()
        for requirement in covered:
            key = clause_key(requirement)
            if requirement.kind == Requirement.Kind.CONTROL and requirement.group:
                key_all = f"{requirement.standard.name} {key}"
                clause_titles.setdefault(key_all, requirement.group.title)
            else:
                key_all = key
                clause_titles.setdefault(key_all, core_titles.get(key, f"Clause {key}"))
            per_standard_titles[requirement.standard_id].setdefault(key, clause_titles[key_all])
            if key_all not in keys_seen:
                clause_scores.setdefault(key_all, Score()).add(status)
                keys_seen.add(key_all)
            if requirement.standard_id not in standards_seen:
                per_standard[requirement.standard_id].add(status)
                per_standard_clause[requirement.standard_id].setdefault(key, Score()).add(status)
                standards_seen.add(requirement.standard_id)

    def overall_order(key: str) -> tuple:
        if key.isdigit():
            return (0, "", number_sort_key(key))
        name, _, group = key.rpartition(" ")
        return (1, name, number_sort_key(group))

    by_clause = [
        ClauseScore(key, clause_titles[key], s)
        for key, s in sorted(clause_scores.items(), key=lambda kv: overall_order(kv[0]))
    ]
    by_standard = [
        StandardScore(
            s,
            per_standard[s.pk],
            [
                ClauseScore(k, per_standard_titles[s.pk][k], sc)
                for k, sc in sorted(per_standard_clause[s.pk].items(), key=lambda kv: _sort(kv[0]))
            ],
        )
        for s in standards
    ]
    return Readiness(overall, by_clause, by_standard)


def overall_scores(assessments: list[GapAssessment], standards: list[Standard]) -> dict[int, Score]:
    """Overall readiness of several assessments for the given standards, in one query: an item
    counts once when it covers a requirement of at least one of them, as in
    `compute_readiness`."""
    scores = {a.pk: Score() for a in assessments}
    if not assessments or not standards:
        return scores
    rows = (
        GapItem.objects.filter(assessment__in=assessments, covers__standard__in=standards)
        .values("assessment_id", "status")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    for row in rows:
        scores[row["assessment_id"]].counts[row["status"]] += row["n"]
    return scores
