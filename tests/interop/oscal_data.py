"""Shared data of the OSCAL tests: a system with several standards and its assessment, an
audit with a finding of each grade, nonconformities open and closed, and trestle's models."""

from __future__ import annotations

import datetime as dt

from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog
from trestle.oscal.poam import PlanOfActionAndMilestones

from pdca.assessments import services as gap
from pdca.assessments.models import GapAssessment, GapItem
from pdca.audits.models import Audit, Finding
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.standards.models import Requirement, Standard
from pdca.system.models import AdoptedStandard, ManagementSystem

MODELS = {
    "catalog": Catalog,
    "assessment-results": AssessmentResults,
    "plan-of-action-and-milestones": PlanOfActionAndMilestones,
}
ISMS, QMS = "iso27001-2022", "iso9001-2015"


def validate(doc: dict):
    """The document parsed by compliance-trestle's model of its root (raises when invalid)."""
    ((root, body),) = doc.items()
    return MODELS[root].model_validate(body)


def make_system(org, codes=(ISMS, QMS), name="IMS") -> ManagementSystem:
    system = ManagementSystem.objects.create(organization=org, name=name)
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=dt.date(2026, 1, 5),
        )
    return system


def make_assessment(personas, codes=(ISMS, QMS), name="IMS") -> GapAssessment:
    system = make_system(personas.org, codes, name)
    assessment = gap.create_assessment(
        system, title=f"{name} baseline", started_on=dt.date(2026, 1, 6), actor=personas.manager
    )
    items = list(assessment.items.order_by("sort_key")[:4])
    statuses = [GapItem.Status.IMPLEMENTED, GapItem.Status.PARTIAL, GapItem.Status.NOT_APPLICABLE]
    for item, status in zip(items, statuses, strict=False):
        item.status = status
        item.evidence = "https://intranet.example/policy\nSigned minutes of 2026-01-04"
        item.owner = personas.manager
        item.save()
    return assessment


def make_audit(org, reference="IA-2026-01", findings=True) -> Audit:
    audit = Audit.objects.create(
        organization=org,
        reference=reference,
        title="Production audit",
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 3),
        status=Audit.Status.REPORTING,
        scope="Production at the main site",
    )
    audit.standards.set(Standard.objects.filter(code=QMS))
    if findings:
        for number, grade in enumerate(Finding.Grade.values, start=1):
            make_finding(audit, number, grade)
    return audit


def make_finding(audit: Audit, number: int, grade: str) -> Finding:
    finding = Finding.objects.create(
        organization=audit.organization,
        audit=audit,
        number=number,
        grade=grade,
        title=f"Finding {number}",
        requirement_statement="Documented information is kept current.",
        evidence=f"WI-{number:03d} revision 2 at the press.",
        statement="An outdated work instruction was in use.",
    )
    finding.requirements.set([Requirement.objects.get(standard__code=QMS, number="7.5.3")])
    return finding


def make_nonconformity(org, owner, number: int, status=Nonconformity.Status.ACTION_PLANNED):
    nc = Nonconformity.objects.create(
        organization=org,
        reference=f"NC-{number:03d}",
        title=f"Gauge out of date {number}",
        description="A gauge past its calibration date was used.",
        source=Nonconformity.Source.INTERNAL_AUDIT,
        severity=Nonconformity.Severity.MINOR,
        status=status,
        owner=owner,
        due_date=dt.date(2026, 6, 30),
    )
    nc.requirements.set([Requirement.objects.get(standard__code=QMS, number="7.1.5")])
    CorrectiveAction.objects.create(
        organization=org,
        nonconformity=nc,
        title=f"Calibration recall list {number}",
        owner=owner,
        due_date=dt.date(2026, 5, 31),
    )
    return nc
