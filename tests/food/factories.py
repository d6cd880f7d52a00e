"""Rows of the food registers made directly (not through the services), for the tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pdca.food import rules
from pdca.food.models import (
    FlowStep,
    HazardAnalysis,
    HazardControlPlan,
    MonitoringDeviation,
    PrerequisiteProgramme,
    ProcessFlow,
    PrpVerification,
    TraceabilityExercise,
)
from pdca.tenancy.models import Site


def make_site(org, code: str = "BK1") -> Site:
    site = Site.objects.filter(organization=org, code=code).first()
    return site or Site.objects.create(organization=org, name=f"Bakery {code}", code=code)


def make_programme(org, index: int = 0, **fields) -> PrerequisiteProgramme:
    values = {
        "title": f"Cleaning of mixing room {index}",
        "site": make_site(org),
        "category": "cleaning",
        "frequency": "monthly",
        "started_on": dt.date(2026, 1, 10),
        **fields,
    }
    programme = PrerequisiteProgramme(organization=org, **values)
    rules.apply_programme_rules(programme)
    programme.save()
    return programme


def make_flow(org, index: int = 0, **fields) -> ProcessFlow:
    return ProcessFlow.objects.create(
        organization=org, **{"name": f"Sliced white loaf {index}", "kind": "product", **fields}
    )


def make_step(org, index: int = 0, **fields) -> FlowStep:
    flow = fields.pop("flow", None) or make_flow(org, 1000 + index)
    values = {"number": index + 1, "name": f"Baking {index}", "step_type": "cooking", **fields}
    return FlowStep.objects.create(organization=org, flow=flow, **values)


def make_hazard(org, index: int = 0, **fields) -> HazardAnalysis:
    step = fields.pop("step", None) or make_step(org, index)
    values = {
        "category": "biological",
        "hazard": f"Survival of vegetative pathogens {index}",
        "likelihood": 3,
        "severity": 4,
        "control_measure": "Bake to a core temperature of at least 92 °C",
        "designed_to_control": "yes",
        "measurable_limit": "yes",
        "monitored_in_time": "yes",
        **fields,
    }
    analysis = HazardAnalysis(organization=org, step=step, **values)
    rules.apply_hazard_rules(analysis)
    analysis.save()
    return analysis


def make_plan(org, index: int = 0, **fields) -> HazardControlPlan:
    values = {
        "code": f"CCP-{index + 1}",
        "category": "ccp",
        "control_measure": "Baking time and temperature",
        "parameter": "core temperature",
        "unit": "°C",
        "lower_limit": Decimal("92"),
        **fields,
    }
    plan = HazardControlPlan.objects.create(organization=org, **values)
    plan.refresh_from_db()  # decimals as stored
    return plan


def make_exercise(org, index: int = 0, **fields) -> TraceabilityExercise:
    values = {
        "title": f"Mock recall {index}",
        "kind": "mock_recall",
        "exercised_on": dt.date(2026, 11, 3),
        "product": "Sliced white loaf 800 g",
        "lot": f"L{index:04d}",
        **fields,
    }
    exercise = TraceabilityExercise(organization=org, **values)
    rules.apply_exercise_rules(exercise)
    exercise.save()
    exercise.refresh_from_db()
    return exercise


def make_verification(org, index: int = 0, **fields) -> PrpVerification:
    programme = fields.pop("programme", None) or make_programme(org, 500 + index)
    values = {"verified_on": dt.date(2026, 11, 1), "result": "conforming", **fields}
    return PrpVerification.objects.create(organization=org, programme=programme, **values)


def make_deviation(org, index: int = 0, **fields) -> MonitoringDeviation:
    plan = fields.pop("plan", None) or make_plan(org, 500 + index)
    values = {
        "occurred_on": dt.date(2026, 11, 2),
        "value": Decimal("88"),
        "product_action": "held",
        "correction": "Batch held and re-baked",
        **fields,
    }
    deviation = MonitoringDeviation.objects.create(organization=org, plan=plan, **values)
    deviation.refresh_from_db()
    return deviation
