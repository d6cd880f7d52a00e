"""Figures about an organization's nonconformities: where they come from, what they concern,
how they trend by month, which ones keep coming back, how long they take to close, and how
often the corrective actions work the first time.

Everything is read in a fixed number of aggregate queries, whatever the number of
nonconformities. Dismissed nonconformities are left out of every figure (they were not
nonconformities after all) except their own count. Reads are scoped to what the user may see;
`user=None` is the trusted operator at the command line.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone

from pdca.core.permissions import scope
from pdca.improvement.deadlines import overdue_q
from pdca.improvement.models import EffectivenessCheck, Nonconformity
from pdca.improvement.recurrence import WINDOW, RecurrencePair, recurrence_pairs
from pdca.standards.models import Standard

__all__ = [
    "Analytics",
    "Bucket",
    "CycleTime",
    "FirstTimeEffectiveness",
    "Period",
    "cycle_time",
    "median",
    "month_range",
    "nonconformity_analytics",
    "percentile_nearest_rank",
]

CLOSED = Nonconformity.Status.CLOSED
DISMISSED = Nonconformity.Status.DISMISSED
#: The most months the monthly figure shows (the latest ones of a longer range).
MAX_MONTHS = 120
NOT_GRADED, NO_PROCESS, NO_REQUIREMENT = "Not graded", "No process", "No requirement"


def local_today() -> dt.date:
    """Today where the organization works (one place, so tests can fix the date)."""
    return timezone.localdate()


# --- arithmetic ---------------------------------------------------------------------------


def percentile_nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `percent`% of the values
    at or below it, i.e. the value at rank ceil(percent/100 × n) of the sorted values (rank 1
    for percent 0). None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    """The middle value; for an even count, the mean of the two middle values."""
    return float(statistics.median(values)) if values else None


@dataclass(frozen=True)
class CycleTime:
    """Days from report to closure over the closed nonconformities."""

    closed: int
    median_days: float | None
    p90_days: float | None


def cycle_time(days: Sequence[int]) -> CycleTime:
    """Median and nearest-rank 90th percentile of the cycle days."""
    return CycleTime(len(days), median(days), percentile_nearest_rank(days, 90))


def cycle_days(reported: dt.datetime, closed: dt.datetime) -> int:
    """Whole calendar days from the report date to the closure date (local time)."""
    return (timezone.localtime(closed).date() - timezone.localtime(reported).date()).days


def closed_cycle_days(rows: QuerySet[Nonconformity]) -> list[tuple[dt.date, int]]:
    """(local closure date, `cycle_days`) of each of `rows` closed with a closure moment, both
    worked out by the database (a Python pass over ten years of closures took most of the
    analytics page)."""
    local_closed = TruncDate("closed_at")
    pairs = (
        rows.filter(closed_at__isnull=False)
        .order_by()
        .annotate(
            closed_day=local_closed,
            cycle=ExpressionWrapper(
                local_closed - TruncDate("created_at"), output_field=DurationField()
            ),
        )
        .values_list("closed_day", "cycle")
    )
    return [(day, cycle.days) for day, cycle in pairs]


@dataclass(frozen=True)
class FirstTimeEffectiveness:
    """Of the nonconformities checked at least once, how many were effective at the first
    check (the check of the lowest round, the earliest one in it)."""

    checked: int
    effective: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.effective / self.checked, 1) if self.checked else None


# --- periods ------------------------------------------------------------------------------


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of each month from `first`'s month to `last`'s (the latest MAX_MONTHS)."""
    start, end = first.replace(day=1), last.replace(day=1)
    start = max(start, _add_months(end, -(MAX_MONTHS - 1)))
    months = []
    while start <= end:
        months.append(start)
        start = _add_months(start, 1)
    return months


@dataclass(frozen=True)
class Period:
    """The reported dates asked for, and the months the monthly figure shows: the range's,
    or the last twelve months when no range is given."""

    date_from: dt.date | None
    date_to: dt.date | None
    months: list[dt.date]

    @classmethod
    def of(cls, date_from: dt.date | None, date_to: dt.date | None, today: dt.date) -> Period:
        last = date_to or today
        first = date_from or _add_months(last.replace(day=1), -11)
        return cls(date_from, date_to, month_range(first, last) if first <= last else [])


# --- figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One bar of a breakdown; `params` filter the register list to its nonconformities
    (empty when the list has no such filter)."""

    key: str
    label: str
    count: int
    params: dict[str, str] = field(default_factory=dict)
    standard: str = ""
    number: str = ""

    @property
    def list_url(self) -> str:
        if not self.params:
            return ""
        return f"{reverse('improvement:nonconformities-list')}?{urlencode(self.params)}"


@dataclass(frozen=True)
class Analytics:
    organization_id: int
    period: Period
    standard: Standard | None
    today: dt.date
    total: int
    open: int
    overdue: int
    closed: int
    dismissed: int
    by_source: list[Bucket]
    by_severity: list[Bucket]
    by_process: list[Bucket]
    by_requirement: list[Bucket]
    by_month: list[Bucket]
    recurrences: list[RecurrencePair]
    cycle: CycleTime
    first_time: FirstTimeEffectiveness


def visible(organization, user) -> QuerySet[Nonconformity]:
    rows = Nonconformity.objects.filter(organization=organization)
    return rows if user is None else scope(rows, user)


def filtered(
    rows: QuerySet[Nonconformity], period: Period, standard: Standard | None
) -> QuerySet[Nonconformity]:
    if period.date_from:
        rows = rows.filter(created_at__date__gte=period.date_from)
    if period.date_to:
        rows = rows.filter(created_at__date__lte=period.date_to)
    if standard is not None:
        links = Nonconformity.requirements.through.objects.filter(requirement__standard=standard)
        rows = rows.filter(pk__in=links.values("nonconformity_id"))
    return rows


def _choice_buckets(rows, name: str, choices, blank_label: str | None) -> list[Bucket]:
    found = dict(rows.order_by().values_list(name).annotate(n=Count("pk")))
    buckets = [
        Bucket(value, str(label), found.get(value, 0), {name: value}) for value, label in choices
    ]
    if blank_label is not None and found.get(""):
        buckets.append(Bucket("", blank_label, found[""]))
    return buckets


def _process_buckets(rows) -> list[Bucket]:
    found = rows.order_by().values("process_id", "process__code", "process__name")
    buckets = []
    for row in found.annotate(n=Count("pk")).order_by("-n", "process__code", "process__name"):
        if row["process_id"] is None:
            buckets.append(Bucket("", NO_PROCESS, row["n"]))
        else:
            label = f"{row['process__code']} {row['process__name']}".strip()
            buckets.append(
                Bucket(str(row["process_id"]), label, row["n"], {"process": str(row["process_id"])})
            )
    # The unassigned ones last, whatever their count.
    return sorted(buckets, key=lambda b: b.key == "")


def _requirement_buckets(rows, standard: Standard | None) -> list[Bucket]:
    links = Nonconformity.requirements.through.objects.filter(nonconformity__in=rows)
    if standard is not None:
        links = links.filter(requirement__standard=standard)
    found = (
        links.values(
            "requirement_id",
            "requirement__number",
            "requirement__standard__name",
            "requirement__standard__code",
            "requirement__sort_key",
        )
        .annotate(n=Count("nonconformity_id", distinct=True))
        .order_by("-n", "requirement__standard__name", "requirement__sort_key")
    )
    buckets = [
        Bucket(
            str(r["requirement_id"]),
            f"{r['requirement__standard__name']} {r['requirement__number']}",
            r["n"],
            standard=r["requirement__standard__code"],
            number=r["requirement__number"],
        )
        for r in found
    ]
    if standard is None:
        unlinked = rows.filter(requirements__isnull=True).count()
        if unlinked:
            buckets.append(Bucket("", NO_REQUIREMENT, unlinked))
    return buckets


def _month_buckets(rows, period: Period) -> list[Bucket]:
    if not period.months:
        return []
    first, after = period.months[0], _add_months(period.months[-1], 1)
    found = {
        (m.date() if isinstance(m, dt.datetime) else m): n
        for m, n in rows.filter(created_at__date__gte=first, created_at__date__lt=after)
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    }
    return [Bucket(f"{m:%Y-%m}", f"{m:%b %Y}", found.get(m, 0)) for m in period.months]


def _process_label(code: str, name: str) -> str:
    return f"{code} {name}".strip()


def _recurrences(organization, user, period: Period, standard: Standard | None):
    links = Nonconformity.requirements.through.objects.filter(
        nonconformity__in=visible(organization, user)
        .exclude(status=DISMISSED)
        .filter(process__isnull=False)
    )
    if period.date_from:
        since = period.date_from - WINDOW - dt.timedelta(days=1)
        links = links.filter(nonconformity__created_at__date__gte=since)
    if period.date_to:
        links = links.filter(nonconformity__created_at__date__lte=period.date_to)
    rows = [
        {
            "id": r["nonconformity_id"],
            "reference": r["nonconformity__reference"],
            "title": r["nonconformity__title"],
            "created_at": r["nonconformity__created_at"],
            "process_id": r["nonconformity__process_id"],
            "process": _process_label(
                r["nonconformity__process__code"], r["nonconformity__process__name"]
            ),
            "requirement_id": r["requirement_id"],
            "requirement": f"{r['requirement__standard__name']} {r['requirement__number']}",
            "standard_id": r["requirement__standard_id"],
        }
        for r in links.values(
            "nonconformity_id",
            "nonconformity__reference",
            "nonconformity__title",
            "nonconformity__created_at",
            "nonconformity__process_id",
            "nonconformity__process__code",
            "nonconformity__process__name",
            "requirement_id",
            "requirement__number",
            "requirement__standard__name",
            "requirement__standard_id",
        )
    ]
    in_standard = {r["id"] for r in rows if standard is None or r["standard_id"] == standard.pk}

    def counts(row: dict) -> bool:
        day = timezone.localtime(row["created_at"]).date()
        return (
            row["id"] in in_standard
            and (period.date_from is None or day >= period.date_from)
            and (period.date_to is None or day <= period.date_to)
        )

    def shared(row: dict) -> bool:
        return standard is None or row["standard_id"] == standard.pk

    return recurrence_pairs(rows, counts=counts, shared=shared)


def _first_time(rows) -> FirstTimeEffectiveness:
    first = EffectivenessCheck.objects.filter(nonconformity=OuterRef("pk")).order_by(
        "round", "checked_at", "pk"
    )
    found = (
        rows.annotate(first_effective=Subquery(first.values("effective")[:1]))
        .filter(first_effective__isnull=False)
        .aggregate(checked=Count("pk"), effective=Count("pk", filter=Q(first_effective=True)))
    )
    return FirstTimeEffectiveness(found["checked"], found["effective"])


def nonconformity_analytics(
    organization,
    user,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    standard: Standard | None = None,
    today: dt.date | None = None,
) -> Analytics:
    """The figures of the organization's nonconformities the user may see, reported between
    `date_from` and `date_to` (inclusive, either may be left open) and, with `standard`, only
    those linked to one of its requirements."""
    today = today or local_today()
    period = Period.of(date_from, date_to, today)
    every = filtered(visible(organization, user), period, standard)
    rows = every.exclude(status=DISMISSED)
    is_open = ~Q(status=CLOSED)
    totals = every.aggregate(
        dismissed=Count("pk", filter=Q(status=DISMISSED)),
        total=Count("pk", filter=~Q(status=DISMISSED)),
        open=Count("pk", filter=is_open & ~Q(status=DISMISSED)),
        overdue=Count("pk", filter=overdue_q(today)),
        closed=Count("pk", filter=Q(status=CLOSED)),
    )
    closed = closed_cycle_days(rows.filter(status=CLOSED))
    return Analytics(
        organization_id=getattr(organization, "pk", organization),
        period=period,
        standard=standard,
        today=today,
        total=totals["total"],
        open=totals["open"],
        overdue=totals["overdue"],
        closed=totals["closed"],
        dismissed=totals["dismissed"],
        by_source=_choice_buckets(rows, "source", Nonconformity.Source.choices, None),
        by_severity=_choice_buckets(rows, "severity", Nonconformity.Severity.choices, NOT_GRADED),
        by_process=_process_buckets(rows),
        by_requirement=_requirement_buckets(rows, standard),
        by_month=_month_buckets(rows, period),
        recurrences=_recurrences(organization, user, period, standard),
        cycle=cycle_time([days for _day, days in closed]),
        first_time=_first_time(rows),
    )
