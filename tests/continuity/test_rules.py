"""The rules of business continuity, tested through the services: MTPD derived from the
impact grid, RTO within MTPD, dependencies within the RTO, the method snapshot that keeps old
analyses readable, completing an exercise, the nonconformity an improvement opens (exactly
one), and plans not exercised in twelve months."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.continuity import selectors, services
from pdca.continuity.bia_rules import derive_mtpd, priority_for
from pdca.continuity.forms import MethodForm
from pdca.continuity.method.services import method_for, snapshot_of, update_method
from pdca.continuity.models import BusinessImpactAnalysis, Exercise
from pdca.continuity.pages import impact_rows
from pdca.continuity.registers import BIA_DEPENDENCIES, BUSINESS_IMPACT_ANALYSES
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.registers.services import create_entry, update_entry
from pdca.improvement.models import Nonconformity

from .factories import make_bia, make_dependency, make_exercise, make_improvement, make_plan

pytestmark = pytest.mark.django_db

SNAPSHOT = {
    "categories": [
        {"key": "financial", "name": "Financial", "levels": ["a", "b", "c", "d", "e"]},
        {"key": "legal", "name": "Legal", "levels": ["a", "b", "c", "d", "e"]},
    ],
    "time_points": [
        {"hours": 4, "label": "4 hours"},
        {"hours": 24, "label": "1 day"},
        {"hours": 72, "label": "3 days"},
    ],
    "intolerable_level": 4,
    "priority_limits": [24, 72],
}


def test_mtpd_is_the_first_time_point_where_any_impact_is_intolerable():
    grid = {"financial": [1, 2, 3], "legal": [1, 4, 5]}
    assert derive_mtpd(grid, SNAPSHOT) == 24
    assert derive_mtpd({"financial": [4, 5, 5], "legal": [1, 1, 1]}, SNAPSHOT) == 4
    assert derive_mtpd({"financial": [1, 2, 3], "legal": [None, 3, 3]}, SNAPSHOT) is None
    assert derive_mtpd({}, SNAPSHOT) is None


def test_priority_follows_the_mtpd_limits():
    assert priority_for(4, SNAPSHOT) == 1
    assert priority_for(24, SNAPSHOT) == 1
    assert priority_for(72, SNAPSHOT) == 2
    assert priority_for(168, SNAPSHOT) == 3
    assert priority_for(None, SNAPSHOT) is None


def _grid(org, intolerable_at: int) -> dict:
    """Levels rising to the intolerable level (4) at time point `intolerable_at`."""
    method = snapshot_of(method_for(org))
    size = len(method["time_points"])
    levels = [min(5, 4 if i >= intolerable_at else 2) for i in range(size)]
    return {"customer-reputation": levels}


def test_assessing_impacts_suggests_the_mtpd_and_the_priority(personas):
    bia = make_bia(personas.org)
    services.assess_impacts(bia, actor=personas.manager, impacts=_grid(personas.org, 1))
    bia.refresh_from_db()
    assert bia.suggested_mtpd_hours == 24
    assert bia.priority == 1
    assert bia.impacts["customer-reputation"] == [2, 4, 4, 4, 4, 4]
    assert bia.impacts["financial"] == [None] * 6
    entry = ActivityEntry.objects.get(object_id=str(bia.pk), action="assess")
    assert "1 day" in entry.message


def test_an_impact_off_the_scale_names_its_cell_and_changes_nothing(personas):
    bia = make_bia(personas.org)
    with pytest.raises(ValidationFailed) as refused:
        services.assess_impacts(
            bia,
            actor=personas.manager,
            impacts={"financial": [1, 2, 9, 3, 3, 3], "weather": [1, 1, 1, 1, 1, 1]},
        )
    fields = {e.field for e in refused.value.errors}
    assert fields == {"impacts.financial.2", "impacts.weather"}
    bia.refresh_from_db()
    assert bia.suggested_mtpd_hours is None
    assert not ActivityEntry.objects.filter(object_id=str(bia.pk), action="assess").exists()


def test_rto_beyond_the_mtpd_is_refused_naming_the_field(personas):
    with pytest.raises(ValidationFailed) as refused:
        create_entry(
            BUSINESS_IMPACT_ANALYSES,
            personas.org,
            actor=personas.manager,
            activity="Payroll",
            mtpd_hours=72,
            rto_hours=96,
        )
    error = refused.value.errors[0]
    assert (error.field, error.code) == ("rto_hours", "rto_beyond_mtpd")
    assert "3 days" in error.message and "4 days" in error.message
    assert not BusinessImpactAnalysis.objects.filter(activity="Payroll").exists()
    bia = create_entry(
        BUSINESS_IMPACT_ANALYSES,
        personas.org,
        actor=personas.manager,
        activity="Payroll",
        mtpd_hours=72,
        rto_hours=72,
    )
    assert bia.priority == 2


def test_rto_is_checked_against_the_suggested_mtpd_while_none_is_chosen(personas):
    bia = make_bia(personas.org)
    services.assess_impacts(bia, actor=personas.manager, impacts=_grid(personas.org, 1))
    with pytest.raises(ValidationFailed) as refused:
        update_entry(BUSINESS_IMPACT_ANALYSES, bia, actor=personas.manager, rto_hours=48)
    assert refused.value.errors[0].field == "rto_hours"
    # An assessment that would leave the RTO beyond the new suggestion is refused too.
    update_entry(BUSINESS_IMPACT_ANALYSES, bia, actor=personas.manager, rto_hours=24)
    with pytest.raises(ValidationFailed) as again:
        services.assess_impacts(bia, actor=personas.manager, impacts=_grid(personas.org, 0))
    assert again.value.errors[0].field == "rto_hours"


def test_a_dependency_needed_back_after_the_activity_rto_is_refused(personas):
    bia = make_bia(personas.org, rto_hours=24, mtpd_hours=72)
    with pytest.raises(ValidationFailed) as refused:
        create_entry(
            BIA_DEPENDENCIES,
            personas.org,
            actor=personas.manager,
            bia=bia,
            kind="supplier",
            name="Flour mill",
            rto_hours=48,
        )
    assert refused.value.errors[0].code == "dependency_beyond_rto"
    assert not bia.dependencies.exists()
    make_dependency(personas.org, bia=bia, rto_hours=24)
    # Shortening the activity's RTO below a dependency's is refused as well.
    with pytest.raises(ValidationFailed) as shorter:
        update_entry(BUSINESS_IMPACT_ANALYSES, bia, actor=personas.manager, rto_hours=8)
    assert shorter.value.errors[0].code == "dependency_beyond_rto"


def test_changing_the_method_keeps_earlier_analyses_readable(personas):
    bia = make_bia(personas.org)
    services.assess_impacts(bia, actor=personas.manager, impacts=_grid(personas.org, 2))
    bia.refresh_from_db()
    before = impact_rows(bia)
    update_method(
        personas.org,
        actor=personas.manager,
        name="Three-level method",
        categories=[{"name": "Money", "levels": ["Low", "Medium", "High"]}],
        time_points=[{"hours": 8, "label": ""}, {"hours": 48, "label": "2 days"}],
        intolerable_level=3,
        priority_limits=[48],
    )
    bia.refresh_from_db()
    assert bia.suggested_mtpd_hours == 72
    after = impact_rows(bia)
    assert after == before
    assert [p["label"] for p in after["points"]][:3] == ["4 hours", "1 day", "3 days"]
    row = next(r for r in after["rows"] if r["name"] == "Customers and reputation")
    assert row["cells"][2]["label"] == "A key customer lost"
    assert row["cells"][2]["intolerable"] is True
    # A new analysis, and a new assessment, use the new method.
    fresh = make_bia(personas.org, 2)
    assert [c["key"] for c in fresh.method_snapshot["categories"]] == ["money"]
    assert fresh.method_snapshot["time_points"][0] == {"hours": 8, "label": "8 h"}
    services.assess_impacts(bia, actor=personas.manager, impacts={"money": [1, 3]})
    bia.refresh_from_db()
    assert bia.suggested_mtpd_hours == 48
    assert bia.priority == 1


def test_a_method_with_a_level_no_category_has_is_refused(personas):
    with pytest.raises(ValidationFailed) as refused:
        update_method(
            personas.org,
            actor=personas.manager,
            categories=[{"name": "Money", "levels": ["Low", "High"]}],
            time_points=[{"hours": 24, "label": "1 day"}, {"hours": 8, "label": "8 h"}],
            intolerable_level=3,
            priority_limits=[48, 24],
        )
    fields = {e.field for e in refused.value.errors}
    assert fields == {"time_points.1.hours", "priority_limits"}
    with pytest.raises(PermissionDenied):
        update_method(personas.org, actor=personas.employee, intolerable_level=3)


def test_completing_an_exercise_compares_the_recovery_time_with_the_rto(personas):
    fast = make_bia(personas.org, 1, mtpd_hours=72, rto_hours=24)
    slow = make_bia(personas.org, 2, mtpd_hours=168, rto_hours=72)
    exercise = make_exercise(personas.org)
    exercise.activities.set([fast, slow])
    services.complete_exercise(
        exercise,
        actor=personas.manager,
        actual_date=dt.date(2026, 11, 12),
        objectives_met="partly",
        measured_recovery_hours=30,
        observations="The partner bakery's number was out of date.",
    )
    exercise.refresh_from_db()
    assert exercise.status == Exercise.Status.DONE
    assert (exercise.rto_target_hours, exercise.rto_achieved) == (24, False)
    assert exercise.record_reason()
    assert exercise.closed_reason()
    with pytest.raises(Conflict) as again:
        services.complete_exercise(
            exercise,
            actor=personas.manager,
            actual_date=dt.date(2026, 11, 12),
            objectives_met="yes",
        )
    assert again.value.code == "not_planned"


def test_completing_needs_a_past_date_and_the_objectives_outcome(personas):
    exercise = make_exercise(personas.org)
    with pytest.raises(ValidationFailed) as refused:
        services.complete_exercise(
            exercise,
            actor=personas.manager,
            actual_date=dt.date.today() + dt.timedelta(days=3),
            objectives_met="maybe",
        )
    assert {e.field for e in refused.value.errors} == {"actual_date", "objectives_met"}
    exercise.refresh_from_db()
    assert exercise.status == Exercise.Status.PLANNED


def test_an_improvement_opens_exactly_one_nonconformity(personas, catalog):
    exercise = make_exercise(personas.org)
    improvement = make_improvement(personas.org, exercise=exercise)
    before = Nonconformity.objects.filter(organization=personas.org).count()
    nonconformity = services.raise_nonconformity(improvement, actor=personas.manager)
    improvement.refresh_from_db()
    assert improvement.nonconformity == nonconformity
    assert nonconformity.source == Nonconformity.Source.EXERCISE
    assert nonconformity.organization == personas.org
    assert improvement.description in nonconformity.title
    assert Nonconformity.objects.filter(organization=personas.org).count() == before + 1
    assert improvement.record_reason() == "it opened a nonconformity"
    with pytest.raises(Conflict) as again:
        services.raise_nonconformity(improvement, actor=personas.manager)
    assert again.value.code == "nonconformity_exists"
    assert Nonconformity.objects.filter(organization=personas.org).count() == before + 1
    with pytest.raises(PermissionDenied):
        services.raise_nonconformity(
            make_improvement(personas.org, 2), actor=personas.users["process_owner"]
        )


def test_plans_not_exercised_in_twelve_months(personas):
    today = dt.date(2026, 12, 1)
    fresh, stale, never = (make_plan(personas.org, i) for i in range(3))
    archived = make_plan(personas.org, 9, archived_at="2026-01-01T00:00:00Z")
    for plan, when in ((fresh, dt.date(2026, 3, 1)), (stale, dt.date(2025, 11, 30))):
        exercise = make_exercise(
            personas.org,
            plan.pk,
            status=Exercise.Status.DONE,
            actual_date=when,
        )
        exercise.plans.set([plan])
    planned = make_exercise(personas.org, 50)  # planned only: does not count
    planned.plans.set([never])
    found = selectors.plans_not_exercised(personas.manager, personas.org, today=today)
    assert found == [never, stale]
    assert archived not in found
    assert selectors.plans_not_exercised(personas.outsider, personas.org, today=today) == []


def test_method_form_refuses_limits_that_are_not_whole_hours():
    # "²" passes str.isdigit() but int() refuses it: the form must answer, not fail.
    data = {
        "name": "Bakery method",
        "categories": "Financial: Low | High",
        "time_points": "24 1 day",
        "intolerable_level": "2",
    }
    for limits, valid in (("24, 72", True), ("24, ²", False), ("twelve", False)):
        form = MethodForm({**data, "priority_limits": limits})
        assert form.is_valid() is valid, (limits, form.errors)
        if not valid:
            assert "priority_limits" in form.errors
