"""The on-track rule of objectives (pure, with exact cases), the annotations that let a list
compute it without a query per row, and the measurement services (permissions, validation,
activity log)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.system.models import Measurement, Objective
from pdca.system.objectives import services as objectives
from pdca.system.objectives.services import Point, tracking, with_latest
from pdca.system.permissions import OBJECTIVE_SETTERS

START = dt.date(2025, 1, 1)
DUE = START + dt.timedelta(days=100)  # 2025-04-11


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def plan(**fields) -> Objective:
    """An unsaved objective: 0 → 100 over 100 days, higher is better, unless told otherwise."""
    values = {
        "title": "On-time delivery",
        "kpi": "Orders delivered on time",
        "unit": "%",
        "direction": Objective.Direction.AT_LEAST,
        "baseline": D("0"),
        "target": D("100"),
        "start_date": START,
        "due_date": DUE,
    }
    values.update(fields)
    return Objective(**values)


def at(n: int, value: str) -> Point:
    return Point(day(n), D(value))


# --- factories shared by the API and page tests ----------------------------------------------


def make_objective(org, index: int = 0, **fields) -> Objective:
    """An objective inserted directly, started 200 days ago and due in 100 days."""
    today = timezone.localdate()
    values = {
        "organization": org,
        "title": f"Objective {index}",
        "kpi": "First-pass yield",
        "unit": "%",
        "baseline": D("80"),
        "target": D("95"),
        "start_date": today - dt.timedelta(days=200),
        "due_date": today + dt.timedelta(days=100),
    }
    values.update(fields)
    return Objective.objects.create(**values)


def host_objective(org) -> Objective:
    """The objective holding the measurements of the generic API and page tests."""
    return Objective.objects.filter(organization=org, title="Host objective").first() or (
        make_objective(org, title="Host objective")
    )


def make_measurement(org, index: int = 0, objective: Objective | None = None) -> Measurement:
    objective = objective or host_objective(org)
    m = Measurement.objects.create(
        organization=org,
        objective=objective,
        measured_on=objective.start_date + dt.timedelta(days=index),
        value=D("80") + index,
        note=f"Reading {index:02d}",
    )
    m.refresh_from_db()  # the value as stored (80.0000), as a snapshot after a request reads it
    return m


# --- the rule: at least -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status", "gap"),
    [
        ("50", "on_track", "0.0000"),  # exactly on the line counts as on track
        ("55", "on_track", "5.0000"),
        ("40", "at_risk", "-10.0000"),  # behind by exactly 10% of the distance
        ("39.9999", "off_track", "-10.0001"),
        ("100", "achieved", "50.0000"),  # meets the target early
        ("120", "achieved", "70.0000"),
    ],
)
def test_at_least_compares_with_the_line_on_the_measurement_date(value, status, gap):
    result = tracking(plan(), at(50, value), day(59))
    assert result.status == status
    assert result.expected == D("50.0000")
    assert result.gap == D(gap)
    assert result.latest == D(value)
    assert result.latest_on == day(50)
    assert result.stale is False
    assert result.closed is False


@pytest.mark.parametrize(
    ("value", "status", "gap"),
    [
        ("15", "on_track", "0.0000"),
        ("14", "on_track", "1.0000"),  # lower is ahead
        ("16", "at_risk", "-1.0000"),  # distance 10, so a miss of 1 is at risk
        ("16.0001", "off_track", "-1.0001"),
        ("10", "achieved", "5.0000"),
        ("9.5", "achieved", "5.5000"),
    ],
)
def test_at_most_lower_is_better(value, status, gap):
    complaints = plan(
        direction=Objective.Direction.AT_MOST, baseline=D("20"), target=D("10"), unit="complaints"
    )
    result = tracking(complaints, at(50, value), day(59))
    assert (result.status, result.expected, result.gap) == (status, D("15.0000"), D(gap))


def test_at_most_well_above_the_baseline_is_off_track():
    complaints = plan(direction=Objective.Direction.AT_MOST, baseline=D("20"), target=D("10"))
    assert tracking(complaints, at(0, "22"), day(1)).status == "off_track"


def test_no_data_before_the_due_date_expects_todays_value():
    result = tracking(plan(), None, day(59))
    assert result.status == "no_data"
    assert result.expected == D("59.0000")
    assert (result.gap, result.latest, result.latest_on, result.stale) == (None, None, None, False)


def test_due_date_passed_with_no_data_is_off_track():
    result = tracking(plan(), None, day(101))
    assert result.status == "off_track"
    assert result.expected == D("100.0000")


def test_no_data_on_the_due_date_itself_is_not_yet_late():
    assert tracking(plan(), None, DUE).status == "no_data"


def test_due_date_passed_without_meeting_the_target_is_off_track_even_ahead_of_the_line():
    # On the line when measured, but the due date has since passed.
    result = tracking(plan(), at(60, "60"), day(101))
    assert (result.status, result.expected, result.gap) == ("off_track", D("60.0000"), D("0"))


@pytest.mark.parametrize(
    ("value", "status", "gap"), [("90", "off_track", "-10.0000"), ("100", "achieved", "0.0000")]
)
def test_a_measurement_after_the_due_date_is_compared_with_the_target(value, status, gap):
    result = tracking(plan(), at(110, value), day(120))
    assert (result.status, result.expected, result.gap) == (status, D("100.0000"), D(gap))


def test_a_measurement_before_the_start_date_expects_the_baseline():
    result = tracking(plan(baseline=D("10")), Point(day(-5), D("10")), day(0))
    assert (result.status, result.expected) == ("on_track", D("10.0000"))


@pytest.mark.parametrize(
    ("value", "status"), [("100", "achieved"), ("100.5", "achieved"), ("99.99", "off_track")]
)
def test_baseline_equal_to_target_leaves_no_tolerance(value, status):
    keep = plan(baseline=D("100"), target=D("100"))
    result = tracking(keep, at(50, value), day(59))
    assert (result.status, result.expected) == (status, D("100.0000"))


@pytest.mark.parametrize(
    ("value", "status", "gap"),
    [
        (
            "93.5833",
            "on_track",
            "0.0000",
        ),  # 92.5 + 3.25/3 = 93.58333… rounds to the stored 4 places
        ("93.5832", "at_risk", "-0.0001"),
        ("93.2583", "at_risk", "-0.3250"),  # exactly 10% of 3.25 behind
        ("93.2582", "off_track", "-0.3251"),
    ],
)
def test_decimals_are_compared_at_the_stored_precision(value, status, gap):
    yield_plan = plan(baseline=D("92.5"), target=D("95.75"), due_date=day(3))
    result = tracking(yield_plan, at(1, value), day(2))
    assert (result.status, result.expected, result.gap) == (status, D("93.5833"), D(gap))


# --- the rule: without a baseline -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status", "gap"),
    [("73.75", "on_track", "0.0000"), ("67", "at_risk", "-6.7500"), ("66", "off_track", "-7.7500")],
)
def test_without_baseline_the_first_measurement_starts_the_line(value, status, gap):
    # First 30 on day 20, target 100 on day 100: on day 70 the line expects 30 + 70 * 50/80.
    result = tracking(plan(baseline=None), at(70, value), day(71), first=at(20, "30"))
    assert (result.status, result.expected, result.gap) == (status, D("73.7500"), D(gap))


def test_without_baseline_a_single_measurement_is_on_its_own_line():
    result = tracking(plan(baseline=None), at(20, "30"), day(21))
    assert (result.status, result.expected, result.gap) == ("on_track", D("30.0000"), D("0"))


def test_without_baseline_or_data_nothing_is_expected_before_the_due_date():
    result = tracking(plan(baseline=None), None, day(10))
    assert (result.status, result.expected) == ("no_data", None)


# --- stale flag and closed objectives ----------------------------------------------------------


@pytest.mark.parametrize(("days_after", "stale"), [(90, False), (91, True)])
def test_a_measurement_older_than_90_days_is_stale(days_after, stale):
    long_plan = plan(due_date=day(400), target=D("400"))
    result = tracking(long_plan, at(10, "10"), day(10 + days_after))
    assert result.stale is stale
    assert result.status == "on_track"
    assert str(result) == ("On track (stale)" if stale else "On track")


@pytest.mark.parametrize(
    ("status", "label", "css"),
    [
        ("achieved", "Achieved", "text-bg-primary"),
        ("not_achieved", "Not achieved", "text-bg-dark"),
        ("cancelled", "Cancelled", "text-bg-light border"),
    ],
)
def test_closed_objectives_show_their_own_status(status, label, css):
    result = tracking(plan(status=status), at(50, "10"), day(59))
    assert (result.status, result.label, result.css, result.closed) == (status, label, css, True)
    assert (result.expected, result.gap, result.latest) == (None, None, D("10"))


def test_tracking_renders_as_a_badge():
    result = tracking(plan(), at(50, "40"), day(59))
    assert (result.label, result.css) == ("At risk", "text-bg-warning")
    assert result.badge == '<span class="badge text-bg-warning" title="At risk">At risk</span>'
    assert result.__html__() == result.badge
    stale = tracking(plan(due_date=day(400)), at(10, "10"), day(200))
    assert "· stale" in stale.badge
    assert "older than 90 days" in stale.badge


# --- annotations and the model property ---------------------------------------------------------


def test_with_latest_annotates_latest_and_first(personas):
    objective = make_objective(personas.org, baseline=None)
    for n, value in ((0, "70"), (30, "75"), (10, "72")):
        Measurement.objects.create(
            organization=personas.org,
            objective=objective,
            measured_on=objective.start_date + dt.timedelta(days=n),
            value=D(value),
        )
    row = with_latest(Objective.objects.filter(pk=objective.pk)).get()
    assert row.latest_on == objective.start_date + dt.timedelta(days=30)
    assert row.latest_value == D("75")
    assert row.first_on == objective.start_date
    assert row.first_value == D("70")
    # Annotated or not, the property gives the same answer.
    fresh = Objective.objects.get(pk=objective.pk)
    assert row.tracking == fresh.tracking
    assert row.tracking.latest == D("75")


def test_tracking_property_queries_only_without_annotations(personas):
    objective = make_objective(personas.org)
    make_measurement(personas.org, objective=objective, index=5)
    plain = Objective.objects.get(pk=objective.pk)
    n, result = count_queries(lambda: plain.tracking)
    assert n == 1  # with a baseline, only the latest measurement is read
    annotated = with_latest(Objective.objects.filter(pk=objective.pk)).get()
    n, annotated_result = count_queries(lambda: annotated.tracking)
    assert n == 0
    assert annotated_result == result


def test_a_list_computes_tracking_without_a_query_per_row(personas):
    def read() -> list[str]:
        return [o.tracking.status for o in with_latest(Objective.objects.all())]

    for i in range(2):
        make_measurement(personas.org, objective=make_objective(personas.org, i), index=i)
    n_small, small = count_queries(read)
    assert len(small) == 2
    for i in range(2, 12):
        make_measurement(personas.org, objective=make_objective(personas.org, i), index=i)
    n_large, large = count_queries(read)
    assert n_small == n_large == 1
    assert len(large) == 12


# --- measurement services ---------------------------------------------------------------------


def entries(obj, action: str):
    return ActivityEntry.objects.filter(
        object_type="system.measurement", object_id=str(obj.pk), action=action
    )


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_who_may_record(personas, role):
    objective = make_objective(personas.org)
    user = personas.users[role]
    today = timezone.localdate()
    if role in OBJECTIVE_SETTERS:
        m = objectives.record_measurement(objective, measured_on=today, value="88.5", actor=user)
        assert (m.value, m.recorded_by, m.organization_id) == (D("88.5"), user, personas.org.pk)
        entry = entries(m, "create").get()
        assert entry.actor == user
        assert entry.changes["value"] == [None, "88.5"]
    else:
        with pytest.raises(PermissionDenied):
            objectives.record_measurement(objective, measured_on=today, value="1", actor=user)
        assert not Measurement.objects.exists()
        assert not ActivityEntry.objects.filter(object_type="system.measurement").exists()


def test_the_owning_process_owner_may_record_and_correct_but_never_delete(personas):
    owner = personas.users[Role.PROCESS_OWNER]
    objective = make_objective(personas.org, owner=owner)
    today = timezone.localdate()
    m = objectives.record_measurement(objective, measured_on=today, value=90, actor=owner)
    objectives.update_measurement(m, value="91", note="Recounted", actor=owner)
    m.refresh_from_db()
    assert (m.value, m.note) == (D("91"), "Recounted")
    changes = entries(m, "update").get().changes
    # The before-value is the stored one, read under the row lock ("90.0000").
    assert [D(v) for v in changes["value"]] == [D("90"), D("91")]
    assert changes["note"] == ["", "Recounted"]
    pk = m.pk
    # A measurement is a record of the objective's results: it is corrected, not deleted.
    with pytest.raises(Conflict) as refused:
        objectives.delete_measurement(m, actor=owner)
    assert refused.value.code == "is_record"
    assert Measurement.objects.filter(pk=pk).exists()
    assert not ActivityEntry.objects.filter(
        object_type="system.measurement", object_id=str(pk), action="delete"
    ).exists()


def test_a_process_owner_of_another_objective_is_refused(personas):
    objective = make_objective(personas.org, owner=personas.manager)
    m = make_measurement(personas.org, objective=objective)
    other_owner = personas.users[Role.PROCESS_OWNER]
    with pytest.raises(PermissionDenied):
        objectives.update_measurement(m, value="1", actor=other_owner)
    with pytest.raises(PermissionDenied):
        objectives.delete_measurement(m, actor=other_owner)
    m.refresh_from_db()
    assert m.value == D("80")


def test_the_outsider_is_refused(personas):
    objective = make_objective(personas.org)
    with pytest.raises(PermissionDenied):
        objectives.record_measurement(
            objective, measured_on=timezone.localdate(), value=1, actor=personas.outsider
        )
    assert not Measurement.objects.exists()


def _bad_inputs():
    today = timezone.localdate()
    return [
        ({"measured_on": today - dt.timedelta(days=201), "value": 1}, "measured_on", "starts on"),
        ({"measured_on": today + dt.timedelta(days=1), "value": 1}, "measured_on", "future"),
        ({"measured_on": None, "value": 1}, "measured_on", "date"),
        ({"measured_on": today, "value": float("nan")}, "value", "finite"),
        ({"measured_on": today, "value": "NaN"}, "value", "finite"),
        ({"measured_on": today, "value": float("inf")}, "value", "finite"),
        ({"measured_on": today, "value": "-Infinity"}, "value", "finite"),
        ({"measured_on": today, "value": "twelve"}, "value", "number"),
        ({"measured_on": today, "value": None}, "value", "Enter the measured value"),
        ({"measured_on": today, "value": "1.23456"}, "value", "decimal places"),
        ({"measured_on": today, "value": "1e15"}, "value", "digits"),
        ({"measured_on": today, "value": 1, "note": "x" * 301}, "note", "300"),
    ]


def test_bad_input_names_the_field_and_writes_nothing(personas):
    objective = make_objective(personas.org)
    for data, field, words in _bad_inputs():
        with pytest.raises(ValidationFailed) as caught:
            objectives.record_measurement(objective, actor=personas.manager, **data)
        assert [e.field for e in caught.value.errors] == [field], data
        assert words in caught.value.message, (data, caught.value.message)
    assert not Measurement.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="system.measurement").exists()


def test_one_measurement_per_day(personas):
    objective = make_objective(personas.org)
    today = timezone.localdate()
    first = objectives.record_measurement(
        objective, measured_on=today, value=1, actor=personas.manager
    )
    with pytest.raises(ValidationFailed) as caught:
        objectives.record_measurement(objective, measured_on=today, value=2, actor=personas.manager)
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("measured_on", "duplicate")
    assert "already has a measurement on" in error.message
    # Moving another measurement onto that day is refused the same way.
    other = objectives.record_measurement(
        objective, measured_on=today - dt.timedelta(days=1), value=3, actor=personas.manager
    )
    with pytest.raises(ValidationFailed):
        objectives.update_measurement(other, measured_on=today, actor=personas.manager)
    other.refresh_from_db()
    assert other.measured_on == today - dt.timedelta(days=1)
    assert list(Measurement.objects.values_list("pk", flat=True).order_by("pk")) == [
        first.pk,
        other.pk,
    ]
    # Another objective may have a measurement that day.
    objectives.record_measurement(
        make_objective(personas.org, 1), measured_on=today, value=2, actor=personas.manager
    )


@pytest.mark.parametrize("status", ["cancelled", "achieved", "not_achieved"])
def test_closed_objectives_take_no_measurements(personas, status):
    objective = make_objective(personas.org)
    m = make_measurement(personas.org, objective=objective)
    Objective.objects.filter(pk=objective.pk).update(status=status)
    objective.refresh_from_db()
    m.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        objectives.record_measurement(
            objective, measured_on=timezone.localdate(), value=1, actor=personas.manager
        )
    assert caught.value.code == "objective_closed"
    with pytest.raises(Conflict):
        objectives.update_measurement(m, value=5, actor=personas.manager)
    with pytest.raises(Conflict):
        objectives.delete_measurement(m, actor=personas.manager)
    assert list(Measurement.objects.values_list("value", flat=True)) == [D("80")]


def test_update_refuses_unknown_fields_and_bad_values(personas):
    m = make_measurement(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        objectives.update_measurement(m, objective=None, actor=personas.manager)
    assert caught.value.errors[0].field == "objective"
    with pytest.raises(ValidationFailed) as caught:
        objectives.update_measurement(m, value="Infinity", actor=personas.manager)
    assert caught.value.errors[0].field == "value"
    m.refresh_from_db()
    assert m.value == D("80")
    assert not entries(m, "update").exists()


def test_an_update_that_changes_nothing_records_nothing(personas):
    m = make_measurement(personas.org)
    objectives.update_measurement(m, value="80.0000", actor=personas.manager)
    assert not entries(m, "update").exists()


# --- demo -------------------------------------------------------------------------------------


def test_demo_measurements_show_every_status_and_load_once(db):
    from pdca.accounts.models import User
    from pdca.system.demo.objectives import load_measurements
    from pdca.tenancy.models import Membership, Organization

    org = Organization.objects.create(name="Acme", slug="acme")
    manager = User.objects.create_user("quality@acme.example", "x" * 20, full_name="Sam")
    Membership.objects.create(organization=org, user=manager, role=Role.SYSTEM_MANAGER)
    start = timezone.localdate() - dt.timedelta(days=300)
    due = timezone.localdate() + dt.timedelta(days=120)
    plans = [
        ("Complaints", Objective.Direction.AT_MOST, D("24"), D("12"), "complaints"),
        ("On-time delivery", Objective.Direction.AT_LEAST, D("86"), D("95"), "%"),
        ("Scrap rate", Objective.Direction.AT_MOST, D("3.2"), D("2"), "%"),
        ("Phishing reports", Objective.Direction.AT_LEAST, None, D("80"), "%"),
        ("Lost-time incidents", Objective.Direction.AT_MOST, D("6"), D("0"), "incidents"),
        ("Training done", Objective.Direction.AT_LEAST, D("40"), D("100"), "%"),
    ]
    for title, direction, baseline, target, unit in plans:
        Objective.objects.create(
            organization=org,
            title=title,
            kpi=title,
            unit=unit,
            direction=direction,
            baseline=baseline,
            target=target,
            start_date=start,
            due_date=due,
        )
    Objective.objects.create(
        organization=org,
        title="Dropped",
        kpi="x",
        target=D("1"),
        start_date=start,
        due_date=due,
        status=Objective.Status.CANCELLED,
    )
    context: dict = {}
    load_measurements(context)
    rows = with_latest(Objective.objects.filter(organization=org).order_by("pk"))
    assert [o.tracking.status for o in rows] == [
        "achieved",
        "on_track",
        "at_risk",
        "on_track",
        "off_track",
        "on_track",
        "cancelled",
    ]
    assert context["measurements"] == 48  # eight monthly values for each active objective
    assert all(not o.tracking.stale for o in rows)
    assert Measurement.objects.filter(objective__title="Dropped").count() == 0
    load_measurements({})
    assert Measurement.objects.count() == 48
