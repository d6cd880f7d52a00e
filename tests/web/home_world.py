"""Test data of the role homes: for each persona one thing of each kind to do (and some
that must not show), made directly. `implementer_set` is called again with another `tag` and
index to grow the data (query counts) or to fill another organization (named OUTSIDER)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from pdca.assessments.models import GapAssessment, GapItem
from pdca.audits.models import Audit, AuditTeamMember, ChecklistItem
from pdca.certification.models import CycleAudit, FindingReview
from pdca.core.roles import Role
from pdca.documents.models import Acknowledgement, Document, DocumentVersion
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.risks.models import Risk
from pdca.standards.models import Requirement, Standard
from pdca.system.models import AdoptedStandard, ManagementSystem, Measurement, Objective
from tests.certification.programme_factories import finding, hold, new_cycle, stage

TODAY = timezone.localdate()
S = Nonconformity.Status
R = Role


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def implementer_set(org, people: dict[str, object], tag: str = "", i: int = 0) -> None:
    """One set of things to do in an implementing organization. `people` maps each role to
    the user holding it; `tag` starts every title; `i` keeps codes unique."""
    top, manager = people[R.TOP_MANAGEMENT], people[R.SYSTEM_MANAGER]
    owner, auditor, employee = (
        people[R.PROCESS_OWNER],
        people[R.INTERNAL_AUDITOR],
        people[R.EMPLOYEE],
    )

    # Management review: one system overdue (last held 400 days ago), one held last week.
    ims = ManagementSystem.objects.create(organization=org, name=f"{tag}IMS {i}", owner=manager)
    AdoptedStandard.objects.get_or_create(
        organization=org,
        system=ims,
        standard=Standard.objects.get(code="iso9001-2015"),
        defaults={"adopted_on": days(-500)},
    )
    ManagementReview.objects.create(
        organization=org,
        system=ims,
        title=f"{tag}Old review {i}",
        meeting_date=days(-400),
        status=ManagementReview.Status.APPROVED,
    )
    ems = ManagementSystem.objects.create(organization=org, name=f"{tag}EMS {i}")
    held = ManagementReview.objects.create(
        organization=org,
        system=ems,
        title=f"{tag}EMS review {i}",
        meeting_date=days(-7),
        status=ManagementReview.Status.HELD,
    )
    for title, who, due in (
        ("Budget the new press", top, days(-2)),
        ("Retrain the night shift", owner, days(-1)),
        ("Tidy the store", employee, days(9)),
        ("Done already", owner, days(-9)),
    ):
        ReviewOutput.objects.create(
            organization=org,
            review=held,
            kind="action",
            title=f"{tag}{title} {i}",
            owner=who,
            due_date=due,
            status="done" if title == "Done already" else "open",
        )

    # Documents: a policy in review (by the manager), the manager's procedure past its review
    # date, the owner's instruction due for review soon, a published version to read.
    policy = Document.objects.create(
        organization=org, code=f"{tag}POL-{i}", title="Quality policy", doc_type="policy"
    )
    DocumentVersion.objects.create(
        organization=org, document=policy, number=1, status="in_review", author=manager
    )
    Document.objects.create(
        organization=org,
        code=f"{tag}PRO-{i}",
        title="Control of documents",
        owner=manager,
        review_due=days(-10),
    )
    Document.objects.create(
        organization=org,
        code=f"{tag}WI-{i}",
        title="Press setup",
        owner=owner,
        review_due=days(10),
    )
    rules = Document.objects.create(organization=org, code=f"{tag}SR-{i}", title="Safety rules")
    published = DocumentVersion.objects.create(
        organization=org, document=rules, number=1, status="published", author=manager
    )
    Acknowledgement.objects.create(
        organization=org, version=published, user=employee, due_date=days(-1)
    )

    # Corrective action: the owner's action, an employee's report waiting for triage.
    planned = Nonconformity.objects.create(
        organization=org,
        title=f"{tag}Guard loose {i}",
        description="x",
        source="audit",
        status=S.ACTION_PLANNED,
        due_date=days(30),
    )
    CorrectiveAction.objects.create(
        organization=org,
        nonconformity=planned,
        title=f"{tag}Fix the guard {i}",
        owner=owner,
        due_date=days(-4),
    )
    Nonconformity.objects.create(
        organization=org,
        reference=f"{tag}NC-{i}",
        title="Guard missing",
        description="x",
        source="employee",
        status=S.REPORTED,
        reported_by=employee,
    )

    # Objectives: one never measured since it started, one measured last week.
    for title, measured in (("Cut scrap", None), ("On-time delivery", days(-7))):
        objective = Objective.objects.create(
            organization=org,
            title=f"{tag}{title} {i}",
            owner=owner,
            kpi="rate",
            target=Decimal("1"),
            start_date=days(-120),
            due_date=days(200),
        )
        if measured:
            Measurement.objects.create(
                organization=org, objective=objective, measured_on=measured, value=Decimal("2")
            )

    # Risks: the owner's past its review date, the manager's due in 20 days, one far off.
    for code, who, due in (
        ("R1", owner, days(-3)),
        ("R2", manager, days(20)),
        ("R3", owner, days(90)),
    ):
        Risk.objects.create(
            organization=org,
            code=f"{tag}{code}-{i}",
            title="Press failure",
            owner=who,
            review_date=due,
        )

    # Gap assessment: the owner's item past its target date.
    assessment = GapAssessment.objects.create(
        organization=org, system=ims, title=f"{tag}Gap {i}", started_on=days(-60)
    )
    GapItem.objects.create(
        organization=org,
        assessment=assessment,
        requirement=Requirement.objects.get(standard__code="iso9001-2015", number="4.1"),
        owner=owner,
        target_date=days(-5),
        sort_key="04.01",
    )

    # Internal audits: one led and under way, one as a team member, one closed, one of others.
    def audit(ref: str, status: str, lead, start: int) -> Audit:
        return Audit.objects.create(
            organization=org,
            reference=f"{tag}{ref}-{i}",
            title="Production audit",
            status=status,
            lead_auditor=lead,
            start_date=days(start),
            end_date=days(start + 2),
        )

    under_way = audit("IA1", Audit.Status.IN_PROGRESS, auditor, -1)
    member = audit("IA2", Audit.Status.PLANNED, manager, 20)
    AuditTeamMember.objects.create(organization=org, audit=member, user=auditor)
    audit("IA0", Audit.Status.CLOSED, auditor, -90)
    audit("IA3", Audit.Status.PLANNED, manager, 30)
    for question, result, who in (("Q1", "nonconformity", None), ("Q2", "", auditor)):
        ChecklistItem.objects.create(
            organization=org,
            audit=under_way,
            question=question,
            sort_key=question,
            result=result,
            auditor=who,
        )


def cb_set(personas, i: int = 0) -> None:
    """A certification body's cycle waiting for a decision (its stage 2 report issued, with a
    minor finding whose plan was received), another cycle's stage 2 planned with the lead
    auditor, the auditor and the technical expert, and one programme audit to schedule."""
    users = personas.users
    lead, auditor, expert = users[R.LEAD_AUDITOR], users[R.AUDITOR], users[R.TECHNICAL_EXPERT]
    decided = new_cycle(personas, 2 * i)
    reported = hold(stage(decided, "stage2"), days(-30), lead=lead)
    review = FindingReview.objects.get(finding=finding(reported, "minor", actor=lead))
    review.plan_status = FindingReview.PlanStatus.RECEIVED
    review.responded_on = days(-2)
    review.save()
    planned = new_cycle(personas, 2 * i + 1)
    audit = hold(
        stage(planned, "stage2"),
        days(10),
        status=Audit.Status.PLANNED,
        lead=lead,
        team=(auditor,),
    )
    AuditTeamMember.objects.create(
        organization=personas.cb, audit=audit, user=expert, role="expert"
    )
    CycleAudit.objects.filter(cycle__in=[decided, planned], audit__isnull=True).update(
        due_date=days(300)
    )
    due = stage(planned, "stage1")
    due.due_date = days(-5)
    due.save()
