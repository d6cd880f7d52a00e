"""Rows of business continuity for tests, made directly (not through the services)."""

from __future__ import annotations

import datetime as dt

from pdca.continuity.bia_rules import apply_derived
from pdca.continuity.models import (
    BiaDependency,
    BusinessImpactAnalysis,
    ContinuityPlan,
    ContinuityStrategy,
    Exercise,
    ExerciseImprovement,
    PlanContact,
    PlanRole,
)


def make_bia(org, index: int = 0, **fields) -> BusinessImpactAnalysis:
    values = {"activity": f"Bread production {index}", "product_service": "Sliced loaves"}
    values.update(fields)
    bia = BusinessImpactAnalysis(organization=org, **values)
    apply_derived(bia)
    bia.save()
    return bia


def make_dependency(org, index: int = 0, **fields) -> BiaDependency:
    bia = fields.pop("bia", None) or make_bia(org, 1000 + index, rto_hours=72)
    values = {"kind": "supplier", "name": f"Flour mill {index}", "rto_hours": 24, **fields}
    return BiaDependency.objects.create(organization=org, bia=bia, **values)


def make_strategy(org, index: int = 0, **fields) -> ContinuityStrategy:
    values = {"title": f"Second flour mill {index}", "kind": "second_supplier", **fields}
    return ContinuityStrategy.objects.create(organization=org, **values)


def make_plan(org, index: int = 0, **fields) -> ContinuityPlan:
    values = {"title": f"Loss of the bakery {index}", **fields}
    return ContinuityPlan.objects.create(organization=org, **values)


def make_role(org, index: int = 0, **fields) -> PlanRole:
    plan = fields.pop("plan", None) or make_plan(org, 1000 + index)
    values = {"role": f"Incident lead {index}", "name": "Hugo Baker", **fields}
    return PlanRole.objects.create(organization=org, plan=plan, **values)


def make_contact(org, index: int = 0, **fields) -> PlanContact:
    plan = fields.pop("plan", None) or make_plan(org, 2000 + index)
    values = {"name": f"Fire service {index}", "phone": "999", "kind": "emergency", **fields}
    return PlanContact.objects.create(organization=org, plan=plan, **values)


def make_exercise(org, index: int = 0, **fields) -> Exercise:
    """A planned exercise covering an activity of its own (or the given plans and activities):
    the register refuses any change to an exercise that covers neither. An activity rather
    than a plan, so that the default does not add a plan to "plans not exercised"."""
    plans = fields.pop("plans", None)
    activities = fields.pop("activities", None)
    if not plans and not activities:
        activities = [make_bia(org, 3000 + index, activity=f"Oven line {index}")]
    values = {
        "title": f"Tabletop: oven fire {index}",
        "exercise_type": "tabletop",
        "planned_date": dt.date(2026, 11, 10),
        "objectives": "Show the team can move production within a day",
        **fields,
    }
    exercise = Exercise.objects.create(organization=org, **values)
    if plans:
        exercise.plans.set(plans)
    if activities:
        exercise.activities.set(activities)
    return exercise


def make_improvement(org, index: int = 0, **fields) -> ExerciseImprovement:
    exercise = fields.pop("exercise", None) or make_exercise(org, 1000 + index)
    values = {
        "description": f"Keep the partner bakery's night number {index}",
        "due_date": dt.date(2026, 12, 1),
        **fields,
    }
    return ExerciseImprovement.objects.create(organization=org, exercise=exercise, **values)
