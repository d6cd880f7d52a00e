"""Home sections of a certification body's people: cycles waiting for a certification
decision, programme audits to schedule, and clients' answers to findings to review or
verify."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q, Subquery

from pdca.audits.models import Audit, AuditTeamMember, Finding
from pdca.certification.models import (
    CertificationCycle,
    CertificationDecision,
    CycleAudit,
    FindingReview,
)
from pdca.core.permissions import may, scope
from pdca.web.home.items import Item, Section, due_note, first_rows, link, section, url

K = CycleAudit.Kind
REPORTED = (Audit.Status.REPORT_ISSUED, Audit.Status.CLOSED)
#: The audits a decision rests on (see certification.services.decisions.deciding_audit).
DECIDING = (K.STAGE2, K.RECERTIFICATION)
#: A programme audit due this close and not yet scheduled shows as a thing to do.
SCHEDULE_NOTICE_DAYS = 90


def decisions_waiting(user: Any, org: Any) -> Section | None:
    """Cycles not yet decided whose stage 2 or recertification report is issued, and not
    decided (or refused) since that report."""
    if not may(user, "view", CertificationDecision, organization=org):
        return None
    reported = (
        CycleAudit.objects.filter(
            cycle=OuterRef("pk"),
            kind__in=DECIDING,
            cancelled_reason="",
            audit__status__in=REPORTED,
        )
        .order_by("-audit__end_date")
        .values("audit__end_date")[:1]
    )
    rows = (
        scope(
            CertificationCycle.objects.filter(
                organization=org,
                status=CertificationCycle.Status.INITIAL,
                decision_date__isnull=True,
            ),
            user,
        )
        .annotate(reported_on=Subquery(reported), decided_on=Max("decisions__decided_on"))
        .filter(reported_on__isnull=False)
        .filter(Q(decided_on__isnull=True) | Q(decided_on__lt=F("reported_on")))
        .select_related("client")
        .order_by("reported_on", "pk")
    )
    deciding = may(user, "decide", CertificationDecision, organization=org)
    items = []
    for cycle in rows:
        annotated: Any = cycle  # carries `reported_on`
        reported_on: dt.date = annotated.reported_on
        items.append(
            Item(
                str(cycle),
                url("certification:cycle-detail", cycle.pk),
                "Decide" if deciding else "Waiting",
                "primary" if deciding else "secondary",
                f"report issued, audit ended {reported_on:%Y-%m-%d}",
                reported_on,
            )
        )
    return section(
        "decisions",
        "Certification decisions waiting",
        items,
        link=link("Certification cycles", "certification:cycle-list"),
        empty="No cycle waits for a decision.",
        ordered=True,
    )


def to_schedule(user: Any, org: Any, today: dt.date) -> Section | None:
    """Programme audits due within 90 days (or overdue) that are not scheduled yet."""
    if not may(user, "change", CycleAudit, organization=org):
        return None
    rows = scope(
        CycleAudit.objects.filter(
            organization=org,
            audit__isnull=True,
            cancelled_reason="",
            due_date__lte=today + dt.timedelta(days=SCHEDULE_NOTICE_DAYS),
        ).exclude(cycle__status=CertificationCycle.Status.ENDED),
        user,
    )
    shown, total, late = first_rows(
        rows.select_related("cycle__client"), Q(due_date__lt=today), "due_date", "pk"
    )
    items = [
        Item(
            str(item),
            url("certification:cycle-detail", item.cycle_id),
            "Schedule",
            "primary",
            due_note(item.due_date, today),
            item.due_date,
            item.due_date < today,
        )
        for item in shown
    ]
    return section(
        "to-schedule",
        "Audits to schedule",
        items,
        link=link("Programme calendar", "certification:calendar"),
        empty="No programme audit is due within 90 days without a date.",
        total=total,
        late=late,
    )


def answers_to_review(user: Any, org: Any, today: dt.date, *, everyone: bool) -> Section | None:
    """Clients' answers to findings: plans received to accept or reject, and accepted majors
    whose actions are still to verify; the person's own audits, or all (`everyone`)."""
    if not may(user, "change", FindingReview, organization=org):
        return None
    P = FindingReview.PlanStatus
    # The majors as a subquery (read from their partial index), not a join on every finding:
    # the body's accepted minors, never verified, pile up by the ten thousand.
    majors = Finding.objects.filter(organization=org, grade=Finding.Grade.MAJOR).values("pk")
    rows = scope(
        FindingReview.objects.filter(organization=org).filter(
            Q(plan_status=P.RECEIVED)
            | Q(plan_status=P.ACCEPTED, verified_on=None, finding_id__in=majors)
        ),
        user,
    )
    if not everyone:
        on_team = AuditTeamMember.objects.filter(audit=OuterRef("finding__audit"), user=user)
        rows = rows.filter(Q(finding__audit__lead_auditor=user) | Exists(on_team))
    items = []
    shown, total, late = first_rows(
        rows.select_related("finding__audit__certification_audit"),
        Q(plan_status=P.ACCEPTED, closure_due__lt=today),
        "response_due",
        "pk",
    )
    for review in shown:
        verify = review.plan_status == P.ACCEPTED
        due = review.closure_due if verify else review.response_due
        # The answer is reviewed on its cycle's page.
        programme = getattr(review.finding.audit, "certification_audit", None)
        items.append(
            Item(
                f"{review.finding} ({review.finding.audit})",
                url("certification:cycle-detail", programme.cycle_id) if programme else "",
                "Verify" if verify else "Review plan",
                "primary",
                due_note(due, today, "closure due")
                if verify
                else (
                    f"answer received {review.responded_on:%Y-%m-%d}"
                    if review.responded_on
                    else "answer received"
                ),
                due,
                bool(verify and due and due < today),
            )
        )
    return section(
        "answers",
        "Answers to findings",
        items,
        empty="No client's answer waits for you.",
        total=total,
        late=late,
    )


def editions_in_transition(user: Any, org: Any, today: dt.date) -> Section | None:
    """Editions being replaced that the body's certificates still name: how many certificates,
    and the deadline (shown only when there are some)."""
    from pdca.certification.models import Certificate
    from pdca.certification.services.certificate_queries import transition_summary

    if not may(user, "view", Certificate, organization=org):
        return None
    rows = transition_summary(org)
    if not rows:
        return None
    items = []
    for row in rows:
        transition = row.transition
        ends = transition.ends
        items.append(
            Item(
                f"{transition.standard.full_name} → {transition.successor.full_name}",
                url("certification:certificate-list") + "?in_transition=yes",
                f"{row.certificates} certificate{'s' if row.certificates != 1 else ''}",
                "warning",
                transition.sentence(today),
                ends,
                overdue=transition.ended(today),
            )
        )
    return section(
        "editions",
        "Editions in transition",
        items,
        link=link("Certificates", "certification:certificate-list"),
        info=True,
    )
