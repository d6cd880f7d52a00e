"""A system on ISO 9001:2015 and ISO 14001:2015 with work to carry: an assessment with
statuses and owners, an exclusion, a linked document and risk, a planned and a finished audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from pdca.assessments import services as gap
from pdca.assessments.models import GapAssessment, GapItem
from pdca.audits.models import Audit, AuditProgramme
from pdca.documents.models import Document
from pdca.risks.models import Risk
from pdca.standards.models import Requirement, Standard
from pdca.system import services
from pdca.system.models import ManagementSystem


def std(code: str) -> Standard:
    return Standard.objects.get(code=code)


def req(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def item_of(assessment: GapAssessment, code: str, number: str) -> GapItem:
    return assessment.items.get(covers=req(code, number))


@dataclass
class Scene:
    system: ManagementSystem
    assessment: GapAssessment
    document: Document
    risk: Risk
    planned: Audit
    finished: Audit


def make_scene(personas, *, org=None, manager=None, extra_documents: int = 0) -> Scene:
    org = org or personas.org
    manager = manager or personas.manager
    system = services.create_system(
        org,
        name="Quality and environment",
        standards=[std("iso9001-2015"), std("iso14001-2015")],
        owner=manager,
        actor=manager,
    )
    services.add_exclusion(
        system,
        req("iso9001-2015", "8.3"),
        justification="We build to customer drawings; no design.",
        actor=manager,
    )
    assessment = gap.create_assessment(system, title="Baseline", actor=manager)
    for number, status in [("7.1.5.1", "implemented"), ("6.1.2", "partial"), ("10.3", "planned")]:
        item = item_of(assessment, "iso9001-2015", number)
        gap.update_item(
            item,
            actor=manager,
            status=status,
            owner=manager,
            notes=f"Work on {number}",
            target_date=dt.date(2027, 3, 31),
        )
    document = Document.objects.create(organization=org, code="PR-01", title="Production")
    document.requirements.add(req("iso9001-2015", "8.5.1"), req("iso9001-2015", "10.3"))
    for n in range(extra_documents):
        extra = Document.objects.create(organization=org, code=f"X-{n}", title=f"X {n}")
        extra.requirements.add(req("iso9001-2015", "8.5.1"))
    risk = Risk.objects.create(organization=org, code="R-1", title="Late deliveries")
    risk.requirements.add(req("iso9001-2015", "6.1.2"))
    programme = AuditProgramme.objects.create(
        organization=org,
        system=system,
        title="Internal audits",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2028, 12, 31),
    )
    planned = Audit.objects.create(
        organization=org,
        programme=programme,
        reference="IA-1",
        title="Operations",
        start_date=dt.date(2027, 2, 1),
        end_date=dt.date(2027, 2, 2),
    )
    planned.standards.add(std("iso9001-2015"))
    planned.requirements.add(req("iso9001-2015", "8.5.1"), req("iso9001-2015", "10.1"))
    finished = Audit.objects.create(
        organization=org,
        programme=programme,
        reference="IA-0",
        title="Management",
        start_date=dt.date(2026, 2, 1),
        end_date=dt.date(2026, 2, 2),
        status=Audit.Status.CLOSED,
    )
    finished.standards.add(std("iso9001-2015"))
    finished.requirements.add(req("iso9001-2015", "9.3.1"))
    return Scene(system, assessment, document, risk, planned, finished)


@pytest.fixture
def scene(personas, catalog) -> Scene:
    return make_scene(personas)
