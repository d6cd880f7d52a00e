"""Acme's management review demo: the review held after the stage 2 audit with every input
assessed and its minutes frozen, its actions (one done, one improvement that opened an
improvement opportunity), next year's review planned; loading it again changes nothing."""

from __future__ import annotations

import pytest

from pdca.demo import load_demo
from pdca.improvement.models import ImprovementOpportunity
from pdca.reviews import selectors, services
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def test_the_management_review_demo(catalog):
    load_demo()
    org = Organization.objects.get(slug="acme")
    held, planned = ManagementReview.objects.filter(organization=org).order_by("meeting_date")
    assert held.status == "approved" and services.minutes_intact(held)
    assert held.inputs.count() == 15
    assert not held.inputs.filter(assessment="").exists()
    assert planned.status == "planned" and planned.previous == held
    statuses = dict(ReviewOutput.objects.filter(review=held).values_list("title", "status"))
    assert statuses["Audit the coating supplier after two late deliveries"] == "done"
    improvement = ReviewOutput.objects.get(review=held, kind="improvement")
    opportunity = ImprovementOpportunity.objects.get(pk=improvement.opportunity_id)
    assert opportunity.source == "management_review"
    schedule = selectors.schedule_of(held.system)
    assert schedule.last_held == held.meeting_date and not schedule.overdue
    load_demo()
    assert ManagementReview.objects.filter(organization=org).count() == 2
