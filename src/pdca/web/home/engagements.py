"""Home sections of what travels across engagements: the client's evidence requests to answer
and plans to send for a body's findings; the auditor's answered requests to review. Each shows
only when it holds something: most organizations have no link, and an empty section about
links would be noise on their home."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from pdca.certification.models import FindingReview
from pdca.core.permissions import memberships
from pdca.engagements.models import Engagement, EvidenceRequest, FindingLink
from pdca.engagements.permissions import AUDITORS, GRANTORS
from pdca.improvement.models import Nonconformity
from pdca.web.home.items import Item, Section, due_note, first_rows, link, section, url

R = EvidenceRequest.Status
P = FindingReview.PlanStatus
ACTIVE = Engagement.Status.ACTIVE


def requests_to_answer(user: Any, org: Any, today: dt.date) -> Section | None:
    """Evidence requests a linked body asked of the organization, still waiting for it."""
    if memberships(user).get(org.pk) not in GRANTORS:
        return None
    rows = EvidenceRequest.objects.filter(
        engagement__client_organization=org,
        engagement__status=ACTIVE,
        status__in=[R.OPEN, R.RETURNED],
    ).select_related("engagement__organization")
    shown, total, late = first_rows(rows, Q(due_date__lt=today), "due_date", "pk")
    if not total:
        return None
    items = [
        Item(
            f"{r} ({r.engagement.organization})",
            url("engagements:request", r.pk),
            "Answer" if r.status == R.OPEN else "Returned",
            "primary" if r.status == R.OPEN else "warning",
            due_note(r.due_date, today),
            r.due_date,
            r.due_date < today,
        )
        for r in shown
    ]
    return section(
        "evidence-requests",
        "Evidence requests to answer",
        items,
        link=link("Engagements", "engagements:list"),
        empty="No certification body waits for evidence from you.",
        total=total,
        late=late,
    )


def plans_to_send(user: Any, org: Any, today: dt.date) -> Section | None:
    """Nonconformities a linked body raised whose plan it still waits for (or rejected): the
    managers see all, a process owner those they own."""
    role = memberships(user).get(org.pk)
    if role is None:
        return None
    rows = FindingLink.objects.filter(
        organization=org,
        engagement__status=ACTIVE,
        finding__certification_review__plan_status__in=[P.AWAITED, P.REJECTED],
    ).exclude(
        nonconformity__status__in=[Nonconformity.Status.CLOSED, Nonconformity.Status.DISMISSED]
    )
    if role not in GRANTORS:
        rows = rows.filter(nonconformity__owner=user)
    rows = rows.select_related(
        "nonconformity", "engagement__organization", "finding__certification_review"
    )
    shown, total, late = first_rows(
        rows,
        Q(finding__certification_review__response_due__lt=today),
        "finding__certification_review__response_due",
        "pk",
    )
    items = []
    for found in shown:
        review = found.finding.certification_review
        rejected = review.plan_status == P.REJECTED
        items.append(
            Item(
                f"{found.nonconformity} ({found.engagement.organization})",
                url("engagements:detail", found.engagement_id) + "#findings",
                "Rejected" if rejected else "Send plan",
                "danger" if rejected else "primary",
                due_note(review.response_due, today, "plan due"),
                review.response_due,
                review.response_due < today,
            )
        )
    if not total:
        return None
    return section(
        "plans",
        "Plans for certification findings",
        items,
        link=link("Engagements", "engagements:list"),
        empty="No certification body waits for a plan.",
        total=total,
        late=late,
    )


def answers_to_check(user: Any, org: Any, today: dt.date) -> Section | None:
    """Evidence requests of the body that clients answered: the auditor who asked sees theirs,
    the manager all."""
    role = memberships(user).get(org.pk)
    if role not in AUDITORS:
        return None
    rows = EvidenceRequest.objects.filter(organization=org, status=R.ANSWERED)
    if role != "cb_manager":
        rows = rows.filter(requested_by=user)
    shown, total, late = first_rows(
        rows.select_related("engagement__client_organization"), Q(pk__in=[]), "answered_at", "pk"
    )
    if not total:
        return None
    items = [
        Item(
            f"{r} ({r.engagement.client_organization})",
            url("engagements:request", r.pk),
            "Review",
            "primary",
            f"answered {r.answered_at:%Y-%m-%d}" if r.answered_at else "answered",
        )
        for r in shown
    ]
    return section(
        "evidence-answers",
        "Evidence answered by clients",
        items,
        link=link("Engagements", "engagements:list"),
        empty="No client's answer to an evidence request waits for you.",
        total=total,
        late=late,
    )
