"""The demo organization's documented information: policies and procedures from our starter
templates at each stage of their life (published, in review, draft, one past its review
date), acknowledgements of the quality policy, and a record kept as an uploaded PDF
(idempotent)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry
from pdca.documents import acknowledgements
from pdca.documents.evidence.services import store_evidence
from pdca.documents.models import Document
from pdca.documents.registers import DOCUMENTS
from pdca.documents.starter.catalogue import get_starter
from pdca.documents.starters import services as starters
from pdca.documents.versions import services as versions
from pdca.tenancy.models import Organization

MANAGER = "quality@acme.example"
CEO = "ceo@acme.example"
EMPLOYEE = "employee@acme.example"

#: (starter key, how far it goes, days since it took effect)
LIFECYCLE = [
    ("quality-policy", "published", 75),
    ("information-security-policy", "published", 60),
    ("ai-policy", "published", 30),
    ("scope-statement", "published", 90),
    ("document-control", "published", 400),
    ("risk-assessment-methodology", "published", 45),
    ("internal-audit", "in_review", None),
    ("nonconformity-corrective-action", "draft", None),
]
RECORD_TITLE = "Calibration certificates of the CMM, 2026"


def _calibration_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<h1>Calibration certificate</h1><p>Coordinate measuring machine, serial "
        "CMM-0042. Calibrated by an accredited laboratory; results within tolerance.</p>"
    ).write_pdf()


def load(context: dict) -> None:
    org = Organization.objects.filter(slug="acme").first()
    manager = User.objects.filter(email=MANAGER).first()
    ceo = User.objects.filter(email=CEO).first()
    if org is None or manager is None or ceo is None:
        return
    system = context.get("system")
    today = timezone.localdate()
    for key, stage, days in LIFECYCLE:
        starter = get_starter(key)
        if (
            starter is None
            or Document.objects.filter(organization=org, title=starter.title).exists()
        ):
            continue
        document = starters.create_from_template(org, key, actor=manager, system=system)
        if Document.objects.filter(pk=document.pk, versions__status="published").exists():
            continue
        version = versions.open_version(document)
        if stage == "draft" or version is None:
            continue
        versions.submit_version(version, actor=manager)
        if stage == "in_review":
            continue
        versions.approve_version(version, actor=ceo, comment="Approved for publication.")
        assert days is not None  # a published stage says how long ago
        versions.publish_version(
            version, actor=manager, effective_date=today - dt.timedelta(days=days)
        )
        if key == "quality-policy":
            acknowledgements.request_acknowledgement(
                version,
                actor=manager,
                roles=("employee", "process_owner", "internal_auditor"),
                due_date=today + dt.timedelta(days=14),
            )
            employee = User.objects.filter(email=EMPLOYEE).first()
            if employee is not None:
                acknowledgements.acknowledge(version, actor=employee)
    if not Document.objects.filter(organization=org, title=RECORD_TITLE).exists():
        record = create_entry(
            DOCUMENTS,
            org,
            actor=manager,
            title=RECORD_TITLE,
            kind="retained",
            doc_type="record",
            owner=manager,
            review_interval_months=0,
        )
        evidence = store_evidence(
            org, ("cmm-calibration-2026.pdf", _calibration_pdf()), actor=manager
        )
        version = versions.create_version(
            record, actor=manager, file=evidence, change_summary="Certificate received"
        )
        versions.submit_version(version, actor=manager)
        versions.approve_version(version, actor=ceo)
        versions.publish_version(version, actor=manager)
