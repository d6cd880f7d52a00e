"""Acme's environmental demo: seven aspects (three significant, one of them at the threshold),
four obligations each with a recorded evaluation, the partially compliant one with its
nonconformity, one evaluation now overdue; loading again changes nothing."""

from __future__ import annotations

import pytest

from pdca.accounts.models import User
from pdca.demo import load_demo
from pdca.environment import demo
from pdca.environment.models import Aspect, ComplianceEvaluation, ComplianceObligation
from pdca.environment.selectors import due_obligations, significant_aspects, unaddressed_aspects
from pdca.improvement.models import Nonconformity
from pdca.tenancy.models import Organization
from pdca.web.navigation import items_for

pytestmark = pytest.mark.django_db


def test_the_machining_plant_demo(catalog):
    load_demo()
    org = Organization.objects.get(slug="acme")
    aspects = {a.code: a for a in Aspect.objects.filter(organization=org)}
    assert len(aspects) == 7
    assert {a.code for a in significant_aspects(org)} == {"EA-01", "EA-02", "EA-05"}
    assert aspects["EA-02"].score == 15  # at the threshold: significant
    assert aspects["EA-05"].condition == "emergency"
    assert aspects["EA-07"].site.code == "HQ"
    assert {a.code for a in unaddressed_aspects(org)} == {"EA-02", "EA-05"}
    assert all(a.method_snapshot["threshold"] == 15 for a in aspects.values())
    obligations = ComplianceObligation.objects.filter(organization=org)
    assert obligations.count() == 4
    evaluations = ComplianceEvaluation.objects.filter(organization=org)
    assert evaluations.count() == 4 and all(e.is_recorded for e in evaluations)
    failing = evaluations.get(result="partial")
    assert failing.nonconformity is not None
    nonconformity = Nonconformity.objects.get(pk=failing.nonconformity_id)
    assert nonconformity.source == "compliance"
    assert nonconformity.requirements.filter(number="9.1.2").exists()
    assert [o.title for o in due_obligations(org)] == ["F-gas rules for the coolant chillers"]

    # The menu offers the section to organizations that adopted ISO 14001 only.
    manager = User.objects.get(email="quality@acme.example")
    labels = {item["label"] for item in items_for(manager, org)}
    assert {"Aspects", "Compliance obligations", "Evaluations due"} <= labels
    baker = User.objects.get(email="foodsafety@fenwick.example")
    fenwick = Organization.objects.get(slug="fenwick")
    assert "Aspects" not in {item["label"] for item in items_for(baker, fenwick)}

    counts = (Aspect.objects.count(), ComplianceEvaluation.objects.count())
    demo.load({})
    assert (Aspect.objects.count(), ComplianceEvaluation.objects.count()) == counts
    assert Nonconformity.objects.filter(source="compliance").count() == 1


def test_without_the_demo_organization_it_does_nothing(db):
    demo.load({})
    assert not Aspect.objects.exists()
