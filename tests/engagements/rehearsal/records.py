"""Register entries for the rehearsal's rule cases, made directly (not through the services):
one small function per kind of record a rule reads."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.audits.models import Audit
from pdca.documents.models import Document, DocumentVersion
from pdca.environment.models import ComplianceEvaluation, ComplianceObligation
from pdca.improvement.models import Nonconformity
from pdca.people.models import CompetenceRequirement, TrainingRecord
from pdca.reviews.inputs import inputs_for
from pdca.reviews.models import ManagementReview, ReviewInput
from pdca.risks.models import ControlApplicability, Risk, SoaVersion, StatementOfApplicability
from pdca.risks.soa.selectors import annex_controls, frozen_line, lines_hash, soa_lines
from pdca.standards.models import Requirement, Standard
from pdca.system.models import Exclusion, Measurement, Objective, Process
from pdca.tenancy.models import Membership

from .factories import ISMS, QMS, TODAY, requirement

DAY = dt.timedelta(days=1)


def document(system, number: str, status: str | None, *, code: str = QMS, index: int = 0):
    org = system.organization
    doc = Document.objects.create(organization=org, code=f"D-{number}-{index}", title=number)
    doc.requirements.add(requirement(code, number))
    if status is not None:
        DocumentVersion.objects.create(
            organization=org,
            document=doc,
            number=1,
            status=status,
            author=Membership.objects.filter(organization=org, role="system_manager").first().user,
        )
    return doc


def every_document_published(system, personas) -> None:
    asked = Requirement.objects.filter(standard__code=QMS, kind="clause").exclude(number="7.5.1")
    for index, r in enumerate(x for x in asked if x.documented_information):
        if any(e.get("type") == "maintain" for e in r.documented_information):
            document(system, r.number, "published", index=index)


def internal_audit(system, *, ended=30, status="report_issued", **fields) -> Audit:
    return Audit.objects.create(
        organization=system.organization,
        title="Internal audit",
        audit_type="internal",
        status=status,
        start_date=TODAY - dt.timedelta(days=ended + 2),
        end_date=TODAY - dt.timedelta(days=ended),
        **fields,
    )


def audit_of_clauses(system, numbers) -> Audit:
    audit = internal_audit(system)
    audit.requirements.set([requirement(QMS, n) for n in numbers])
    return audit


def process(system, code="P-01") -> Process:
    return Process.objects.create(organization=system.organization, code=code, name="Sales")


def review(system, status="held", days=30) -> ManagementReview:
    return ManagementReview.objects.create(
        organization=system.organization,
        system=system,
        title="Management review",
        meeting_date=TODAY - dt.timedelta(days=days),
        status=status,
    )


def review_with_inputs(system, personas) -> None:
    held = review(system)
    for i, d in enumerate(inputs_for((QMS,))):
        ReviewInput.objects.create(
            organization=system.organization,
            review=held,
            key=d.key,
            title=d.title,
            position=i,
            assessment="Considered.",
        )


def objective(system, started=200) -> Objective:
    return Objective.objects.create(
        organization=system.organization,
        title="On-time delivery",
        kpi="Orders on time",
        target=95,
        start_date=TODAY - dt.timedelta(days=started),
        due_date=TODAY + dt.timedelta(days=200),
    )


def measured_objective(system, personas) -> None:
    goal = objective(system)
    Measurement.objects.create(
        organization=system.organization, objective=goal, measured_on=TODAY - DAY, value=96
    )


def risk(system, code="R-1", kind="risk", **fields) -> Risk:
    return Risk.objects.create(
        organization=system.organization, code=code, title="Late supplier", kind=kind, **fields
    )


def soa(system, *, decided=True) -> StatementOfApplicability:
    standard = Standard.objects.get(code=ISMS)
    statement = StatementOfApplicability.objects.create(
        organization=system.organization, standard=standard, system=system, title="SoA"
    )
    ControlApplicability.objects.bulk_create(
        ControlApplicability(
            organization=system.organization,
            soa=statement,
            control=control,
            applicable=True if decided else None,
            justification="Treats risk R-1." if decided else "",
        )
        for control in annex_controls(standard)
    )
    return statement


def approve(statement: StatementOfApplicability, personas, lines=None) -> SoaVersion:
    frozen = [frozen_line(line) for line in soa_lines(statement)] if lines is None else lines
    return SoaVersion.objects.create(
        organization=statement.organization,
        soa=statement,
        number=1,
        approved_by=personas.manager,
        approved_at=timezone.now(),
        lines=frozen,
        sha256=lines_hash(frozen),
    )


def competence(system, **fields) -> CompetenceRequirement:
    return CompetenceRequirement.objects.create(
        organization=system.organization, code="CR-1", title="Lead implementer", **fields
    )


def manager_trained(system, personas) -> None:
    needed = competence(system, role="system_manager")
    TrainingRecord.objects.create(
        organization=system.organization,
        person=personas.manager,
        title="Lead implementer course",
        requirement=needed,
        result="passed",
        completed_on=TODAY - dt.timedelta(days=30),
    )


def obligation(system, **fields) -> ComplianceObligation:
    return ComplianceObligation.objects.create(
        organization=system.organization,
        title="Waste permit",
        requires="Keep the waste transfer notes",
        **fields,
    )


def evaluated(system, personas) -> None:
    duty = obligation(system, next_evaluation_due=TODAY + dt.timedelta(days=300))
    ComplianceEvaluation.objects.create(
        organization=system.organization,
        obligation=duty,
        evaluated_on=TODAY - dt.timedelta(days=30),
        result="compliant",
        status="recorded",
    )


def nonconformity(system, severity="major", status="triaged") -> Nonconformity:
    return Nonconformity.objects.create(
        organization=system.organization,
        reference="NC-1",
        title="Burrs on batch 4520",
        description="Edges not deburred",
        source="internal_audit",
        severity=severity,
        status=status,
    )


def exclusion(system, code: str, number: str, justification: str) -> Exclusion:
    return Exclusion.objects.create(
        organization=system.organization,
        system=system,
        requirement=requirement(code, number),
        justification=justification,
    )
