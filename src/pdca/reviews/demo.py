"""Acme's management reviews: the review held today after the stage 2 audit (whose major
finding was a review without every input), with every input compiled from the registers and
assessed, conclusions, a decision, actions (one already done) and an improvement that opened
an improvement opportunity, its minutes approved and frozen; and next year's review, planned.
The demo's registers are filled on the day it is built, so only a review whose data is read
as of today shows them. Idempotent: nothing happens once Acme has a review."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry, update_entry
from pdca.reviews import services
from pdca.reviews.models import ManagementReview
from pdca.reviews.registers import MANAGEMENT_REVIEWS, REVIEW_ACTIONS
from pdca.system.models import ManagementSystem
from pdca.tenancy.models import Organization

ORGANIZATION = "acme"
MANAGER = "quality@acme.example"
CEO = "ceo@acme.example"
OWNER = "production@acme.example"

ASSESSMENT = (
    "Considered with the figures above and the stage 2 findings; the decisions below answer "
    "what needs action."
)
CONCLUSIONS = (
    "The integrated management system remains suitable for a 140-person machining business, "
    "adequate in its resources except for one quality engineer, and effective: objectives "
    "mostly met, nonconformities closed within the policy. It stays aligned with the strategy "
    "of winning aerospace work; ISO 14001 and ISO 45001 join the scope next year."
)


def load(context: dict) -> None:
    org = Organization.objects.filter(slug=ORGANIZATION).first()
    manager = User.objects.filter(email=MANAGER).first()
    ceo = User.objects.filter(email=CEO).first()
    owner = User.objects.filter(email=OWNER).first()
    system = ManagementSystem.objects.filter(organization=org).order_by("pk").first()
    if None in (org, manager, ceo, owner, system):
        return
    if ManagementReview.objects.filter(organization=org).exists():
        return
    today = timezone.localdate()
    _held_today(org, system, manager, ceo, owner, today)
    _next_year(org, system, manager, ceo, today)


def _held_today(org, system, manager, ceo, owner, today: dt.date) -> ManagementReview:
    meeting = today
    review = create_entry(
        MANAGEMENT_REVIEWS,
        org,
        actor=manager,
        system=system,
        title=f"Management review {meeting.year} (after the stage 2 audit)",
        meeting_date=meeting,
        chair=ceo,
        attendees=[manager, owner],
        other_attendees="Finance director (guest)",
        agenda="1. The stage 2 findings\n2. Every input, supplier performance and resources "
        "included\n3. Conclusions\n4. Decisions",
    )
    services.compile_inputs(review, actor=manager)
    for item in review.inputs.all():
        services.assess_input(item, actor=ceo, assessment=ASSESSMENT)
    update_entry(MANAGEMENT_REVIEWS, review, actor=manager, conclusions=CONCLUSIONS)
    create_entry(
        REVIEW_ACTIONS,
        org,
        actor=manager,
        review=review,
        kind="decision",
        title="Extend the system to ISO 14001 and ISO 45001",
        description="Adopt both standards in the integrated system and plan the gap assessment.",
    )
    done = create_entry(
        REVIEW_ACTIONS,
        org,
        actor=manager,
        review=review,
        kind="action",
        title="Audit the coating supplier after two late deliveries",
        owner=owner,
        due_date=meeting + dt.timedelta(days=30),
    )
    create_entry(
        REVIEW_ACTIONS,
        org,
        actor=manager,
        review=review,
        kind="action",
        title="Hire a second quality engineer",
        owner=ceo,
        due_date=today + dt.timedelta(days=90),
    )
    create_entry(
        REVIEW_ACTIONS,
        org,
        actor=manager,
        review=review,
        kind="improvement",
        title="Automate the gauge calibration reminders",
        description="Reminders from the calibration register instead of the wall chart.",
        owner=owner,
        due_date=today + dt.timedelta(days=60),
    )
    services.transition_review(review, actor=manager, to="held")
    services.transition_review(review, actor=ceo, to="approved")
    services.transition_output(
        done,
        actor=owner,
        to="done",
        outcome="Audited on site; the supplier's new scheduling fixes the delays.",
    )
    return review


def _next_year(org, system, manager, ceo, today: dt.date) -> None:
    create_entry(
        MANAGEMENT_REVIEWS,
        org,
        actor=manager,
        system=system,
        title=f"Management review {today.year + 1}",
        meeting_date=today + dt.timedelta(days=350),
        chair=ceo,
        attendees=[manager],
        agenda="1. Actions of the last review\n2. Inputs\n3. Conclusions and decisions",
    )
