"""Fenwick Foods' food safety demo: five PRPs with verifications (the failed pest-control one
with its nonconformity), the sliced white loaf's ten steps, baking and metal detection as CCPs,
sesame as an OPRP, pests left to the PRPs, the plan with its oven deviation, a mock recall;
loading again changes nothing."""

from __future__ import annotations

import pytest

from pdca.accounts.models import User
from pdca.demo import load_demo
from pdca.food import demo
from pdca.food.models import (
    FlowStep,
    HazardAnalysis,
    HazardControlPlan,
    MonitoringDeviation,
    PrerequisiteProgramme,
    PrpVerification,
    TraceabilityExercise,
)
from pdca.improvement.models import Nonconformity
from pdca.tenancy.models import Organization
from pdca.web.navigation import items_for

pytestmark = pytest.mark.django_db


def test_the_bakery_demo(catalog):
    load_demo()
    org = Organization.objects.get(slug="fenwick")
    programmes = PrerequisiteProgramme.objects.filter(organization=org)
    assert programmes.count() == 5
    assert {p.site.code for p in programmes} == {"BK1", "DC1"}
    failed = PrpVerification.objects.get(organization=org, result="not_conforming")
    assert failed.nonconformity.source == "deviation"
    steps = list(FlowStep.objects.filter(organization=org).order_by("number"))
    assert [s.name for s in steps][:3] == ["Receiving flour", "Flour storage", "Mixing"]
    assert len(steps) == 10
    decided = {
        h.step.name: h.control_category
        for h in HazardAnalysis.objects.filter(organization=org).select_related("step")
    }
    assert decided["Baking"] == decided["Metal detection"] == "ccp"
    assert decided["Mixing"] == "oprp"
    assert decided["Flour storage"] == decided["Slicing"] == "prp"
    plans = HazardControlPlan.objects.filter(organization=org)
    assert set(plans.values_list("code", flat=True)) == {"CCP-1", "CCP-2", "OPRP-1"}
    deviation = MonitoringDeviation.objects.get(organization=org)
    assert deviation.plan.code == "CCP-1" and deviation.nonconformity is not None
    recall = TraceabilityExercise.objects.get(organization=org)
    assert recall.kind == "mock_recall" and recall.result == "passed"

    # The menu offers the section to organizations that adopted ISO 22000 only.
    baker = User.objects.get(email="foodsafety@fenwick.example")
    assert "Hazard control plan" in {item["label"] for item in items_for(baker, org)}
    acme = Organization.objects.get(slug="acme")
    quality = User.objects.get(email="quality@acme.example")
    assert "Hazard control plan" not in {item["label"] for item in items_for(quality, acme)}

    counts = (PrerequisiteProgramme.objects.count(), Nonconformity.objects.count())
    demo.load({})
    assert (PrerequisiteProgramme.objects.count(), Nonconformity.objects.count()) == counts


def test_without_the_demo_organization_it_does_nothing(db):
    demo.load({})
    assert not PrerequisiteProgramme.objects.exists()
