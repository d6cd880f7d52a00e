"""Recurrence: the most recent earlier nonconformity on the same process and requirement,
reported within the twelve months before, is the one a nonconformity repeats."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.improvement.models import Nonconformity
from pdca.improvement.recurrence import find_recurrence
from tests.improvement.test_analytics import at, make_nc, make_process, req

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def setting(personas):
    org = personas.org
    return {
        "org": org,
        "machining": make_process(org, "P-01", "Machining"),
        "purchasing": make_process(org, "P-02", "Purchasing"),
        "r87": req("8.7"),
        "r75": req("7.5"),
    }


def test_the_most_recent_earlier_one_on_the_same_process_and_requirement_is_found(setting):
    s = setting
    make_nc(s["org"], 1, at(2025, 9, 1), s["machining"], [s["r87"]])
    middle = make_nc(s["org"], 2, at(2026, 1, 5), s["machining"], [s["r87"], s["r75"]])
    later = make_nc(s["org"], 3, at(2026, 3, 1), s["machining"], [s["r75"]])
    assert find_recurrence(later) == middle


def test_a_nonconformity_reported_afterwards_is_not_what_it_repeats(setting):
    s = setting
    first = make_nc(s["org"], 1, at(2026, 1, 5), s["machining"], [s["r87"]])
    make_nc(s["org"], 2, at(2026, 3, 1), s["machining"], [s["r87"]])
    assert find_recurrence(first) is None


def test_exactly_365_days_before_still_counts_and_366_does_not(setting):
    s = setting
    old = make_nc(s["org"], 1, at(2025, 3, 1), s["machining"], [s["r87"]])
    on_the_day = make_nc(s["org"], 2, at(2026, 3, 1), s["machining"], [s["r87"]])
    assert find_recurrence(on_the_day) == old
    one_day_late = make_nc(s["org"], 3, at(2025, 3, 1), s["purchasing"], [s["r87"]])
    too_late = make_nc(s["org"], 4, at(2026, 3, 2), s["purchasing"], [s["r87"]])
    assert find_recurrence(too_late) is None
    assert one_day_late.pk  # it exists, 366 days before


@pytest.mark.parametrize(
    "earlier",
    ["other_process", "other_requirement", "dismissed", "other_organization"],
)
def test_what_does_not_count_as_the_same_problem(setting, personas, earlier):
    s = setting
    org, process, requirements = s["org"], s["machining"], [s["r87"]]
    status = Nonconformity.Status.CLOSED
    if earlier == "other_process":
        process = s["purchasing"]
    elif earlier == "other_requirement":
        requirements = [s["r75"]]
    elif earlier == "dismissed":
        status = Nonconformity.Status.DISMISSED
    else:
        org = personas.other
        process = make_process(org, "P-01", "Machining")
    make_nc(org, 1, at(2026, 1, 5), process, requirements, status=status)
    later = make_nc(s["org"], 2, at(2026, 3, 1), s["machining"], [s["r87"]])
    assert find_recurrence(later) is None


def test_without_a_process_or_a_requirement_there_is_no_recurrence(setting):
    s = setting
    make_nc(s["org"], 1, at(2026, 1, 5), s["machining"], [s["r87"]])
    no_process = make_nc(s["org"], 2, at(2026, 3, 1), None, [s["r87"]])
    no_requirement = make_nc(s["org"], 3, at(2026, 3, 1), s["machining"], [])
    assert find_recurrence(no_process) is None
    assert find_recurrence(no_requirement) is None


def test_of_two_reported_at_the_same_instant_the_one_recorded_first_is_earlier(setting):
    s = setting
    when = at(2026, 2, 2)
    first = make_nc(s["org"], 1, when, s["machining"], [s["r87"]])
    second = make_nc(s["org"], 2, when, s["machining"], [s["r87"]])
    assert find_recurrence(second) == first
    assert find_recurrence(first) is None


def test_a_nonconformity_never_repeats_itself(setting):
    s = setting
    only = make_nc(s["org"], 1, at(2026, 1, 5), s["machining"], [s["r87"]])
    assert find_recurrence(only) is None


def test_the_window_is_counted_from_the_report_not_from_today(setting):
    s = setting
    make_nc(s["org"], 1, at(2020, 1, 5), s["machining"], [s["r87"]])
    old_repeat = make_nc(s["org"], 2, at(2020, 6, 5), s["machining"], [s["r87"]])
    found = find_recurrence(old_repeat)
    assert found is not None
    assert (old_repeat.created_at - found.created_at) == dt.timedelta(days=152)


def test_the_analytics_report_pairs_each_one_as_find_recurrence_does(setting, personas):
    from pdca.improvement.analytics.figures import nonconformity_analytics

    s = setting
    plan = [
        (2025, 1, 10, "machining", ["r87"]),
        (2025, 6, 1, "machining", ["r75"]),
        (2025, 12, 1, "machining", ["r87", "r75"]),
        (2026, 1, 9, "purchasing", ["r87"]),
        (2026, 1, 20, "machining", ["r87"]),
        (2026, 2, 2, "purchasing", ["r75"]),
        (2026, 5, 2, "purchasing", ["r87", "r75"]),
    ]
    made = [
        make_nc(s["org"], i, at(y, m, d), s[p], [s[r] for r in reqs])
        for i, (y, m, d, p, reqs) in enumerate(plan, start=1)
    ]
    found = nonconformity_analytics(s["org"], personas.manager, today=dt.date(2026, 6, 1))
    pairs = {p.later.id: p.earlier.id for p in found.recurrences}
    expected = {nc.pk: r.pk for nc in made if (r := find_recurrence(nc)) is not None}
    assert pairs == expected
    assert pairs == {
        made[2].pk: made[1].pk,
        made[4].pk: made[2].pk,
        made[6].pk: made[5].pk,
    }
