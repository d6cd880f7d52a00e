"""Acme's management reviews: last year's review, held and approved (its minutes frozen), with
a decision, an action done, an action still open past its due date and an improvement that
opened an improvement opportunity; and this year's review, planned (already overdue on the
schedule, so the dashboard and the homes flag it), its inputs compiled from the registers
and two of them assessed. Idempotent: nothing happens once Acme has a review."""

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

LAST_YEAR_ASSESSMENT = (
    "Considered with the figures above; no change to the system's direction is needed for this "
    "input."
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
    last = _last_year(org, system, manager, ceo, owner, today)
    _this_year(org, system, manager, ceo, today, last)


def _last_year(org, system, manager, ceo, owner, today: dt.date) -> ManagementReview:
    meeting = today - dt.timedelta(days=380)
    review = create_entry(
        MANAGEMENT_REVIEWS,
        org,
        actor=manager,
        system=system,
        title=f"Management review {meeting.year}",
        meeting_date=meeting,
        chair=ceo,
        attendees=[manager, owner],
        other_attendees="Finance director (guest)",
        agenda="1. Actions of the last review\n2. Inputs\n3. Conclusions\n4. Decisions",
    )
    services.compile_inputs(review, actor=manager)
    for item in review.inputs.all():
        services.assess_input(item, actor=ceo, assessment=LAST_YEAR_ASSESSMENT)
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
        due_date=meeting + dt.timedelta(days=120),
    )
    create_entry(
        REVIEW_ACTIONS,
        org,
        actor=manager,
        review=review,
        kind="action",
        title="Add supplier performance and resources to the review agenda",
        owner=manager,
        due_date=today - dt.timedelta(days=30),
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
        outcome="Audited; the supplier's new scheduling fixed the delays.",
    )
    return review


def _this_year(org, system, manager, ceo, today: dt.date, last: ManagementReview) -> None:
    review = create_entry(
        MANAGEMENT_REVIEWS,
        org,
        actor=manager,
        system=system,
        title=f"Management review {today.year}",
        meeting_date=today + dt.timedelta(days=10),
        data_as_of=today,
        chair=ceo,
        attendees=[manager],
        agenda="1. Actions of the last review\n2. Inputs, with supplier performance and "
        "resources\n3. The stage 2 findings\n4. Conclusions and decisions",
    )
    services.compile_inputs(review, actor=manager)
    for key, text in (
        (
            "previous_actions",
            "One action is a month late: the agenda change is done in this very review.",
        ),
        (
            "nonconformities",
            "The stage 2 major nonconformity is about this review; its corrective action is "
            "this meeting with every input.",
        ),
    ):
        services.assess_input(review.inputs.get(key=key), actor=ceo, assessment=text)
