"""Recurrence: a nonconformity that happens again on the same process and requirement within
twelve months points at a corrective action that did not remove its cause.

`find_recurrence` answers for one nonconformity (triage stores the answer in
`Nonconformity.recurrence_of`); `recurrence_pairs` finds every such pair among many, in one
query, for the analytics report.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models

from pdca.improvement.models import Nonconformity

#: How far back an earlier nonconformity still counts as the same problem coming back.
WINDOW = dt.timedelta(days=365)

__all__ = ["WINDOW", "NcRef", "RecurrencePair", "find_recurrence", "recurrence_pairs"]


def find_recurrence(nonconformity: Nonconformity) -> Nonconformity | None:
    """The most recent earlier nonconformity of the same organization on the same process
    sharing at least one requirement, reported in the 365 days before this one and not
    dismissed; None when there is none, or when this one names no process or requirement."""
    if nonconformity.pk is None or nonconformity.process_id is None:
        return None
    requirement_ids = list(nonconformity.requirements.values_list("pk", flat=True))
    if not requirement_ids:
        return None
    reported = nonconformity.created_at
    return (
        Nonconformity.objects.filter(
            organization_id=nonconformity.organization_id,
            process_id=nonconformity.process_id,
            requirements__in=requirement_ids,
            created_at__gte=reported - WINDOW,
        )
        .filter(
            # Earlier: reported before it, or at the same instant but recorded first.
            models.Q(created_at__lt=reported)
            | models.Q(created_at=reported, pk__lt=nonconformity.pk)
        )
        .exclude(status=Nonconformity.Status.DISMISSED)
        .exclude(pk=nonconformity.pk)
        .order_by("-created_at", "-pk")
        .distinct()
        .first()
    )


@dataclass(frozen=True)
class NcRef:
    """Enough of a nonconformity to name it in a report."""

    id: int
    reference: str
    title: str
    reported_at: dt.datetime

    @property
    def label(self) -> str:
        return f"{self.reference or f'#{self.id}'} {self.title}"


@dataclass(frozen=True)
class RecurrencePair:
    """A nonconformity (`later`) that repeats an earlier one on the same process."""

    later: NcRef
    earlier: NcRef
    process_id: int
    process: str
    shared_requirements: list[str] = field(default_factory=list)

    @property
    def days_apart(self) -> int:
        return (self.later.reported_at - self.earlier.reported_at).days


def recurrence_pairs(
    rows: Iterable[dict],
    *,
    counts: Callable[[dict], bool],
    shared: Callable[[dict], bool] = lambda row: True,
) -> list[RecurrencePair]:
    """Pair each nonconformity with the most recent earlier one it repeats (the rule of
    `find_recurrence`), from rows of (nonconformity, requirement) links.

    Each row holds `id`, `reference`, `title`, `created_at`, `process_id`, `process`,
    `requirement_id` and `requirement` (its label); the caller has already left out dismissed
    nonconformities and those without a process. `counts(row)` says whether that row's
    nonconformity is one to report (the later one, e.g. inside the date range); `shared(row)`
    whether that requirement may be the shared one (e.g. of the chosen standard).
    Newest pair first.
    """
    refs: dict[int, NcRef] = {}
    processes: dict[int, tuple[int, str]] = {}
    requirements: dict[int, set[int]] = defaultdict(set)
    labels: dict[int, str] = {}
    reported: set[int] = set()
    by_key: dict[tuple[int, int], list[int]] = defaultdict(list)
    for row in rows:
        nc = row["id"]
        refs.setdefault(nc, NcRef(nc, row["reference"], row["title"], row["created_at"]))
        processes[nc] = (row["process_id"], row["process"])
        if counts(row):
            reported.add(nc)
        if shared(row):
            requirements[nc].add(row["requirement_id"])
            labels[row["requirement_id"]] = row["requirement"]
            by_key[(row["process_id"], row["requirement_id"])].append(nc)

    def order(nc: int) -> tuple[dt.datetime, int]:
        return (refs[nc].reported_at, nc)

    # Each (process, requirement) list in report order: the latest earlier one is found by
    # bisection, so many nonconformities on one process do not cost n² comparisons.
    keys = {key: [order(nc) for nc in sorted(set(ncs), key=order)] for key, ncs in by_key.items()}
    pairs = []
    for nc in reported:
        process_id, process = processes[nc]
        candidates = set()
        for requirement in requirements[nc]:
            ordered = keys[(process_id, requirement)]
            index = bisect.bisect_left(ordered, order(nc))
            if index:
                reported_at, other = ordered[index - 1]
                if refs[nc].reported_at - reported_at <= WINDOW:
                    candidates.add(other)
        if not candidates:
            continue
        earlier = max(candidates, key=order)
        common = requirements[nc] & requirements[earlier]
        pairs.append(
            RecurrencePair(
                later=refs[nc],
                earlier=refs[earlier],
                process_id=process_id,
                process=process,
                shared_requirements=sorted(labels[r] for r in common),
            )
        )
    pairs.sort(key=lambda p: order(p.later.id), reverse=True)
    return pairs
