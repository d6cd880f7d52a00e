"""Rows of management review for tests, made directly (not through the services)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.core.roles import Role
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard, ManagementSystem
from pdca.tenancy.models import Membership

TODAY = timezone.localdate()
QMS = "iso9001-2015"


def make_system(org, codes=(QMS,), name="Integrated management system") -> ManagementSystem:
    """A system adopting `codes` a year ago (one per name and organization)."""
    system = ManagementSystem.objects.filter(organization=org, name=name).first()
    if system is None:
        system = ManagementSystem.objects.create(organization=org, name=name)
        for code in codes:
            standard = Standard.objects.filter(code=code).first()
            if standard is not None:
                AdoptedStandard.objects.create(
                    organization=org,
                    system=system,
                    standard=standard,
                    adopted_on=TODAY - dt.timedelta(days=400),
                )
    return system


def top_manager(org):
    membership = Membership.objects.filter(organization=org, role=Role.TOP_MANAGEMENT).first()
    return membership.user if membership else None


def make_review(org, index: int = 0, **fields) -> ManagementReview:
    values = {
        "system": fields.pop("system", None) or make_system(org),
        "title": f"Management review {index}",
        "meeting_date": TODAY - dt.timedelta(days=index),
        "chair": top_manager(org),
        **fields,
    }
    return ManagementReview.objects.create(organization=org, **values)


def make_output(org, index: int = 0, **fields) -> ReviewOutput:
    review = fields.pop("review", None) or make_review(org, 1000 + index)
    values = {
        "kind": "decision",
        "title": f"Hire a second quality engineer {index}",
        **fields,
    }
    return ReviewOutput.objects.create(organization=org, review=review, **values)
