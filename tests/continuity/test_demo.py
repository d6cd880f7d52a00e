"""Fenwick Foods' business continuity demo: the analyses, a plan with roles and contacts, a
tabletop exercise done whose improvement opened a nonconformity, one planned exercise; loading
it again changes nothing."""

from __future__ import annotations

import pytest

from pdca.continuity import demo, selectors
from pdca.continuity.models import (
    BiaDependency,
    BusinessImpactAnalysis,
    ContinuityPlan,
    ContinuityStrategy,
    Exercise,
    ExerciseImprovement,
)
from pdca.demo import load_demo
from pdca.improvement.models import Nonconformity
from pdca.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def test_the_bakery_demo(catalog):
    load_demo()
    org = Organization.objects.get(slug="fenwick")
    bias = {b.activity: b for b in BusinessImpactAnalysis.objects.filter(organization=org)}
    assert set(bias) == {"Bread production", "Order taking and dispatch", "Payroll"}
    bread = bias["Bread production"]
    assert (bread.suggested_mtpd_hours, bread.mtpd_hours, bread.rto_hours) == (24, 24, 12)
    assert bread.site.code == "BK1" and bread.record_reason()
    assert bias["Payroll"].priority == 3
    assert BiaDependency.objects.filter(organization=org).count() == 7
    names = set(ContinuityStrategy.objects.filter(organization=org).values_list("title", flat=True))
    assert names == {"Second flour mill", "Reciprocal agreement with Ouse Valley Bakery"}
    plan = ContinuityPlan.objects.get(organization=org, title="Loss of the bakery")
    assert plan.status == "approved" and plan.roles.count() == 3 and plan.contacts.count() == 4
    done = Exercise.objects.get(organization=org, status="done")
    assert done.exercise_type == "tabletop" and done.rto_achieved is False
    assert Exercise.objects.filter(organization=org, status="planned").count() == 1
    raised = ExerciseImprovement.objects.get(organization=org, nonconformity__isnull=False)
    nonconformity = Nonconformity.objects.get(pk=raised.nonconformity_id)
    assert nonconformity.organization == org and nonconformity.source == "exercise"
    manager = plan.owner
    assert selectors.plans_not_exercised(manager, org) == []
    ordered = [b.activity for b in selectors.prioritized_activities(manager, org)]
    assert ordered[-1] == "Payroll"

    counts = (BusinessImpactAnalysis.objects.count(), Nonconformity.objects.count())
    demo.load({})
    load_demo()
    assert (BusinessImpactAnalysis.objects.count(), Nonconformity.objects.count()) == counts
