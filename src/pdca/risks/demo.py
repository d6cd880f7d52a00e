"""The demo organization's risk method, risks and opportunities (with an aspect, a hazard and
information security risks), AI systems with an impact assessment, and its Statements of
Applicability (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry
from pdca.risks.method import demo as demo_method
from pdca.risks.models import AISystem, ImpactAssessment, Risk
from pdca.risks.registers import AI_SYSTEMS, IMPACT_ASSESSMENTS, RISKS
from pdca.risks.soa import demo as demo_soa
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.tenancy.models import Organization

MANAGER = "quality@acme.example"

RISKS_DATA: list[dict[str, Any]] = [
    {
        "code": "R-001",
        "title": "Key machinist leaves during a large aerospace order",
        "category": "People",
        "owner": "production@acme.example",
        "processes": ["C-03"],
        "inherent_likelihood": 3,
        "inherent_impact": 4,
        "treatment": "reduce",
        "treatment_plan": "Cross-train a second machinist per 5-axis cell",
        "residual_likelihood": 2,
        "residual_impact": 3,
        "status": "treating",
    },
    {
        "code": "R-002",
        "title": "Material certificate missing at release",
        "category": "Traceability",
        "owner": MANAGER,
        "processes": ["C-04", "S-01"],
        "inherent_likelihood": 2,
        "inherent_impact": 5,
        "treatment": "reduce",
        "treatment_plan": "ERP blocks release without a certificate",
        "residual_likelihood": 1,
        "residual_impact": 5,
        "status": "treated",
    },
    {
        "code": "R-003",
        "title": "Unplanned downtime of 5-axis machine",
        "category": "Equipment",
        "owner": "production@acme.example",
        "processes": ["S-04"],
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "treatment": "reduce",
        "treatment_plan": "Preventive maintenance plan; spare spindle contract",
        "status": "treating",
    },
    {
        "code": "O-001",
        "title": "Win medical customers with validated cleaning",
        "kind": "opportunity",
        "category": "Market",
        "owner": "ceo@acme.example",
        "processes": ["C-01"],
        "inherent_likelihood": 3,
        "inherent_impact": 3,
        "status": "assessed",
    },
    {
        "code": "A-001",
        "title": "Coolant and cutting-oil disposal",
        "kind": "aspect",
        "activity": "CNC machining",
        "condition": "normal",
        "environmental_impact": "Soil and water contamination if mishandled",
        "legal_obligation": True,
        "owner": "production@acme.example",
        "processes": ["C-03"],
        "inherent_likelihood": 2,
        "inherent_impact": 4,
        "treatment": "reduce",
        "treatment_plan": "Licensed waste carrier; bunded storage",
        "status": "treated",
    },
    {
        "code": "H-001",
        "title": "Entanglement at lathes",
        "kind": "hazard",
        "activity": "Turning",
        "hazard_type": "mechanical",
        "exposed": "Machinists, setters",
        "owner": "production@acme.example",
        "processes": ["C-03"],
        "inherent_likelihood": 2,
        "inherent_impact": 5,
        "treatment": "reduce",
        "treatment_plan": "Interlocked guards; no loose clothing rule",
        "residual_likelihood": 1,
        "residual_impact": 5,
        "status": "treated",
    },
    {
        "code": "IS-01",
        "title": "Ransomware encrypts CAD/CAM data",
        "kind": "infosec",
        "asset": "CAD/CAM file server",
        "threat": "Ransomware",
        "vulnerability": "Flat network",
        "confidentiality": True,
        "availability": True,
        "integrity": True,
        "owner": "admin@acme.example",
        "processes": ["S-03"],
        "controls": ["A.8.7", "A.8.13"],
        "inherent_likelihood": 3,
        "inherent_impact": 5,
        "treatment": "reduce",
        "treatment_plan": "Offline backups, EDR, network segmentation",
        "residual_likelihood": 2,
        "residual_impact": 4,
        "status": "treating",
    },
    {
        "code": "IS-02",
        "title": "Customer drawings leaked from a portal account",
        "kind": "infosec",
        "asset": "Customer drawings",
        "threat": "Credential theft",
        "vulnerability": "Shared portal logins",
        "confidentiality": True,
        "owner": "admin@acme.example",
        "processes": ["C-01"],
        "controls": ["A.5.15", "A.5.17"],
        "inherent_likelihood": 3,
        "inherent_impact": 4,
        "treatment": "reduce",
        "treatment_plan": "Named accounts with MFA on every customer portal",
        "status": "treating",
    },
]


def load(context: dict) -> None:
    org = Organization.objects.filter(slug="acme").first()
    manager = User.objects.filter(email=MANAGER).first()
    if org is None or manager is None:
        return
    demo_method.load(context)
    users = {u.email: u for u in User.objects.filter(email__endswith="@acme.example")}
    processes = {p.code: p for p in Process.objects.filter(organization=org)}
    controls = {
        r.number: r
        for r in Requirement.objects.filter(standard__code="iso27001-2022", kind="control")
    }
    review = timezone.localdate() + dt.timedelta(days=120)
    for data in RISKS_DATA:
        if Risk.objects.filter(organization=org, code=data["code"]).exists():
            continue
        values = dict(data)
        values["owner"] = users.get(values["owner"])
        values["processes"] = [processes[c] for c in values["processes"] if c in processes]
        values["controls"] = [controls[n] for n in values.get("controls", []) if n in controls]
        create_entry(RISKS, org, actor=manager, review_date=review, **values)
    system = AISystem.objects.filter(organization=org, name="Surface defect detection").first()
    if system is None:
        system = create_entry(
            AI_SYSTEMS,
            org,
            actor=manager,
            name="Surface defect detection",
            purpose="Flags scratches, burrs and chatter marks on machined parts at final "
            "inspection for an inspector to confirm",
            role="developer",
            stage="operation",
            owner=users.get(MANAGER),
            data_used="Images of parts taken at the inspection station; inspectors' verdicts",
            people_affected="Inspectors; customers receiving parts",
            process=processes.get("C-04"),
        )
    if not AISystem.objects.filter(organization=org, name="Quotation assistant").exists():
        create_entry(
            AI_SYSTEMS,
            org,
            actor=manager,
            name="Quotation assistant",
            purpose="Drafts quotations and cycle-time estimates from customer drawings",
            role="user",
            provider_name="A general-purpose language model service",
            stage="verification",
            owner=users.get("ceo@acme.example"),
            data_used="Customer drawings and past quotes (no personal data)",
            people_affected="Sales staff; customers",
            process=processes.get("C-01"),
        )
    if not ImpactAssessment.objects.filter(organization=org, ai_system=system).exists():
        create_entry(
            IMPACT_ASSESSMENTS,
            org,
            actor=manager,
            ai_system=system,
            title="Defect detection: effects of missed and false rejections",
            assessed_on=timezone.localdate() - dt.timedelta(days=30),
            assessor=manager,
            impact_individuals="Inspectors may over-trust the model and check less carefully",
            impact_groups="Customers could receive parts with missed defects",
            impact_society="Safety-critical aerospace parts: a missed defect could matter",
            likelihood=2,
            severity=4,
            measures="Inspector confirms every verdict; monthly escape review; retraining "
            "only with reviewed images",
            review_date=timezone.localdate() + dt.timedelta(days=150),
            status="completed",
        )
    demo_soa.load(context)
