"""Nonconformity analytics: the arithmetic of cycle times, and every figure on known data,
with the date range and standard filters, dismissed ones left out, scoped to the user, in a
constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.improvement.analytics.figures import (
    Period,
    cycle_time,
    median,
    month_range,
    nonconformity_analytics,
    percentile_nearest_rank,
)
from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from pdca.standards.models import Requirement, Standard
from pdca.system.models import Process

pytestmark = pytest.mark.usefixtures("catalog")

TODAY = dt.date(2026, 6, 15)
S = Nonconformity.Status


# --- data helpers (shared by the other analytics tests) ------------------------------------


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def req(number: str, code: str = "iso9001-2015") -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def make_process(org, code: str, name: str) -> Process:
    return Process.objects.create(organization=org, code=code, name=name)


def make_nc(org, index, reported, process=None, requirements=(), **fields) -> Nonconformity:
    values = {
        "reference": f"NC-{index:03d}",
        "title": f"Problem {index}",
        "description": "Found during the walk-through.",
        "source": "internal_audit",
        **fields,
    }
    nc = Nonconformity.objects.create(organization=org, process=process, **values)
    nc.requirements.set(requirements)
    Nonconformity.objects.filter(pk=nc.pk).update(created_at=reported)
    nc.refresh_from_db()
    return nc


def check(nc, round_, checked_at, effective, user) -> EffectivenessCheck:
    return EffectivenessCheck.objects.create(
        organization=nc.organization,
        nonconformity=nc,
        round=round_,
        checked_by=user,
        checked_at=checked_at,
        effective=effective,
        notes="Sampled ten records.",
    )


def make_action(nc, title, owner, due, status="planned") -> CorrectiveAction:
    return CorrectiveAction.objects.create(
        organization=nc.organization,
        nonconformity=nc,
        title=title,
        owner=owner,
        due_date=due,
        status=status,
    )


def build(personas) -> dict:
    """Six nonconformities of org A (one dismissed) and one of org B.

    nc1 2025-09-10 internal audit, major, Machining, 9001 8.7, closed after 30 days, effective
    nc2 2026-02-01 complaint, minor, Machining, 9001 8.7 + 7.5, closed after 10 days,
        first check not effective, second effective (repeats nc1, 144 days)
    nc3 2026-05-20 employee, not graded, Purchasing, 14001 8.1, contained, due 2026-06-01
    nc4 2026-06-10 incident, minor, no process, no requirement, reported, due 2026-07-01
    nc5 2026-03-03 complaint, major, Machining, 9001 8.7, dismissed
    nc6 2026-04-01 internal audit, minor, Machining, 9001 7.5, closed after 20 days,
        effective (repeats nc2, 59 days)
    """
    org, auditor = personas.org, personas.users[Role.INTERNAL_AUDITOR]
    machining = make_process(org, "P-01", "Machining")
    purchasing = make_process(org, "P-02", "Purchasing")
    r87, r75, e81 = req("8.7"), req("7.5"), req("8.1", "iso14001-2015")
    nc1 = make_nc(
        org,
        1,
        at(2025, 9, 10),
        machining,
        [r87],
        severity="major",
        status=S.CLOSED,
        closed_at=at(2025, 10, 10, 9),
    )
    nc2 = make_nc(
        org,
        2,
        at(2026, 2, 1),
        machining,
        [r87, r75],
        source="complaint",
        severity="minor",
        status=S.CLOSED,
        closed_at=at(2026, 2, 11, 16),
    )
    nc3 = make_nc(
        org,
        3,
        at(2026, 5, 20),
        purchasing,
        [e81],
        source="employee",
        status=S.CONTAINED,
        due_date=dt.date(2026, 6, 1),
        owner=personas.employee,
    )
    nc4 = make_nc(
        org,
        4,
        at(2026, 6, 10),
        None,
        [],
        source="incident",
        severity="minor",
        due_date=dt.date(2026, 7, 1),
    )
    nc5 = make_nc(
        org,
        5,
        at(2026, 3, 3),
        machining,
        [r87],
        source="complaint",
        severity="major",
        status=S.DISMISSED,
    )
    nc6 = make_nc(
        org,
        6,
        at(2026, 4, 1),
        machining,
        [r75],
        severity="minor",
        status=S.CLOSED,
        closed_at=at(2026, 4, 21),
    )
    check(nc1, 1, at(2025, 10, 9), True, auditor)
    check(nc2, 1, at(2026, 2, 5), False, auditor)
    check(nc2, 2, at(2026, 2, 10), True, auditor)
    check(nc6, 1, at(2026, 4, 20), True, auditor)
    other = make_process(personas.other, "P-01", "Machining")
    make_nc(personas.other, 1, at(2026, 2, 1), other, [r87], severity="major")
    return {
        "nc": [None, nc1, nc2, nc3, nc4, nc5, nc6],
        "machining": machining,
        "purchasing": purchasing,
    }


def counts(buckets) -> list[tuple[str, int]]:
    return [(b.label, b.count) for b in buckets]


# --- arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "p90", "middle"),
    [
        ([], None, None),
        ([5], 5, 5.0),
        ([4, 1], 4, 2.5),
        ([4, 1, 3, 2], 4, 2.5),
        ([7, 1, 3], 7, 3.0),
        (list(range(1, 11)), 9, 5.5),
        (list(range(1, 21)), 18, 10.5),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 100], 0, 0.0),
        ([0, 0, 0, 0, 0, 0, 0, 0, 100, 100], 100, 0.0),
    ],
)
def test_nearest_rank_90th_percentile_and_median(values, p90, middle):
    assert percentile_nearest_rank(values, 90) == p90
    assert median(values) == middle
    result = cycle_time(values)
    assert (result.closed, result.median_days, result.p90_days) == (len(values), middle, p90)


def test_percentile_edges_are_the_smallest_and_largest_values():
    assert percentile_nearest_rank([9, 2, 5], 0) == 2
    assert percentile_nearest_rank([9, 2, 5], 100) == 9
    assert percentile_nearest_rank([9, 2, 5], 50) == 5


def test_month_range_and_the_default_twelve_months():
    assert month_range(dt.date(2025, 11, 20), dt.date(2026, 2, 3)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    period = Period.of(None, None, TODAY)
    assert (period.months[0], period.months[-1], len(period.months)) == (
        dt.date(2025, 7, 1),
        dt.date(2026, 6, 1),
        12,
    )
    assert len(month_range(dt.date(1900, 1, 1), TODAY)) == 120
    assert Period.of(dt.date(2026, 7, 1), dt.date(2026, 6, 1), TODAY).months == []


# --- figures on known data ----------------------------------------------------------------


def test_every_figure_on_known_data(personas):
    data = build(personas)
    f = nonconformity_analytics(personas.org, personas.manager, today=TODAY)
    assert (f.total, f.open, f.overdue, f.closed, f.dismissed) == (5, 2, 1, 3, 1)
    assert counts(f.by_source) == [
        ("Internal audit", 2),
        ("Certification audit", 0),
        ("Supplier audit", 0),
        ("Employee report", 1),
        ("Customer complaint", 1),
        ("Incident", 1),
        ("KPI or process deviation", 0),
        ("Supplier issue", 0),
        ("Improvement opportunity", 0),
        ("Compliance evaluation", 0),
        ("Continuity exercise", 0),
    ]
    assert counts(f.by_severity) == [("Major", 1), ("Minor", 3), ("Not graded", 1)]
    assert counts(f.by_process) == [
        ("P-01 Machining", 3),
        ("P-02 Purchasing", 1),
        ("No process", 1),
    ]
    assert counts(f.by_requirement) == [
        ("ISO 9001 7.5", 2),
        ("ISO 9001 8.7", 2),
        ("ISO 14001 8.1", 1),
        ("No requirement", 1),
    ]
    assert [(b.standard, b.number) for b in f.by_requirement[:3]] == [
        ("iso9001-2015", "7.5"),
        ("iso9001-2015", "8.7"),
        ("iso14001-2015", "8.1"),
    ]
    assert [(b.key, b.count) for b in f.by_month if b.count] == [
        ("2025-09", 1),
        ("2026-02", 1),
        ("2026-04", 1),
        ("2026-05", 1),
        ("2026-06", 1),
    ]
    assert (f.by_month[0].key, f.by_month[-1].key, len(f.by_month)) == ("2025-07", "2026-06", 12)
    assert (f.cycle.closed, f.cycle.median_days, f.cycle.p90_days) == (3, 20.0, 30)
    assert (f.first_time.checked, f.first_time.effective, f.first_time.percent) == (3, 2, 66.7)
    nc = data["nc"]
    assert [
        (p.later.id, p.earlier.id, p.process, p.shared_requirements, p.days_apart)
        for p in f.recurrences
    ] == [
        (nc[6].pk, nc[2].pk, "P-01 Machining", ["ISO 9001 7.5"], 59),
        (nc[2].pk, nc[1].pk, "P-01 Machining", ["ISO 9001 8.7"], 144),
    ]


def test_bars_link_to_the_register_filtered_the_same_way(personas):
    data = build(personas)
    f = nonconformity_analytics(personas.org, personas.manager, today=TODAY)
    assert f.by_source[0].list_url == "/nonconformities/?source=internal_audit"
    assert f.by_severity[0].list_url == "/nonconformities/?severity=major"
    assert f.by_severity[-1].list_url == ""  # not graded: the list has no such filter
    assert f.by_process[0].list_url == f"/nonconformities/?process={data['machining'].pk}"
    assert f.by_process[-1].list_url == ""


def test_the_date_range_keeps_earlier_ones_as_what_is_repeated(personas):
    data = build(personas)
    f = nonconformity_analytics(
        personas.org, personas.manager, date_from=dt.date(2026, 1, 1), today=TODAY
    )
    assert (f.total, f.open, f.overdue, f.closed, f.dismissed) == (4, 2, 1, 2, 1)
    assert (f.cycle.median_days, f.cycle.p90_days) == (15.0, 20)
    assert (f.first_time.checked, f.first_time.effective) == (2, 1)
    assert [b.key for b in f.by_month] == [f"2026-0{m}" for m in range(1, 7)]
    nc = data["nc"]
    assert [(p.later.id, p.earlier.id) for p in f.recurrences] == [
        (nc[6].pk, nc[2].pk),
        (nc[2].pk, nc[1].pk),
    ]
    before = nonconformity_analytics(
        personas.org, personas.manager, date_to=dt.date(2026, 3, 31), today=TODAY
    )
    assert (before.total, before.dismissed) == (2, 1)
    assert [(p.later.id, p.earlier.id) for p in before.recurrences] == [(nc[2].pk, nc[1].pk)]
    assert (before.by_month[0].key, before.by_month[-1].key) == ("2025-04", "2026-03")


def test_the_standard_filter_keeps_what_is_linked_to_it(personas):
    build(personas)
    env = Standard.objects.get(code="iso14001-2015")
    f = nonconformity_analytics(personas.org, personas.manager, standard=env, today=TODAY)
    assert (f.total, f.open, f.overdue, f.closed, f.dismissed) == (1, 1, 1, 0, 0)
    assert counts(f.by_requirement) == [("ISO 14001 8.1", 1)]
    assert f.recurrences == []
    quality = Standard.objects.get(code="iso9001-2015")
    f = nonconformity_analytics(personas.org, personas.manager, standard=quality, today=TODAY)
    assert (f.total, f.dismissed, len(f.recurrences)) == (3, 1, 2)
    assert counts(f.by_requirement) == [("ISO 9001 7.5", 2), ("ISO 9001 8.7", 2)]


def test_a_nonconformity_whose_first_check_failed_is_not_first_time_effective(personas):
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    nc = make_nc(personas.org, 1, at(2026, 1, 1))
    # Recorded out of order: the round decides, then the date.
    check(nc, 2, at(2026, 1, 5), True, auditor)
    check(nc, 1, at(2026, 1, 9), False, auditor)
    f = nonconformity_analytics(personas.org, personas.manager, today=TODAY)
    assert (f.first_time.checked, f.first_time.effective, f.first_time.percent) == (1, 0, 0.0)


def test_no_data_gives_empty_figures(personas):
    f = nonconformity_analytics(personas.org, personas.manager, today=TODAY)
    assert (f.total, f.open, f.overdue, f.closed, f.dismissed) == (0, 0, 0, 0, 0)
    assert (f.cycle.closed, f.cycle.median_days, f.cycle.p90_days) == (0, None, None)
    assert (f.first_time.checked, f.first_time.percent) == (0, None)
    assert (f.by_process, f.by_requirement, f.recurrences) == ([], [], [])
    assert sum(b.count for b in f.by_month) == 0


def test_an_employee_counts_only_what_they_may_see(personas):
    build(personas)
    f = nonconformity_analytics(personas.org, personas.employee, today=TODAY)
    assert (f.total, f.open, f.overdue) == (1, 1, 1)  # nc3, which they own
    outsider = nonconformity_analytics(personas.org, personas.outsider, today=TODAY)
    assert (outsider.total, outsider.dismissed) == (0, 0)


def _grow(personas, data, start: int, count: int) -> None:
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    for i in range(start, start + count):
        nc = make_nc(
            personas.org,
            i,
            at(2026, 1 + i % 5, 1 + i % 27),
            data["machining"],
            [req("8.7"), req("7.5")],
            status=S.CLOSED,
            closed_at=at(2026, 6, 1),
        )
        check(nc, 1, at(2026, 6, 1), i % 2 == 0, auditor)


def test_queries_do_not_grow_with_nonconformities(personas):
    data = build(personas)
    env = Standard.objects.get(code="iso9001-2015")

    def figures():
        return nonconformity_analytics(
            personas.org,
            personas.manager,
            date_from=dt.date(2026, 1, 1),
            standard=env,
            today=TODAY,
        )

    _grow(personas, data, 10, 2)
    figures()  # the user's roles are read once and kept
    small, before = count_queries(figures)
    _grow(personas, data, 20, 15)
    large, after = count_queries(figures)
    assert large == small
    assert after.total == before.total + 15
