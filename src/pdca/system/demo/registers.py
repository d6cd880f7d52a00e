"""The demo organization's context, interested parties, processes, responsibilities and
objectives: a precision machining company (idempotent: entries that exist are left alone)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry
from pdca.standards.models import Requirement
from pdca.system.models import ContextIssue, InterestedParty, Objective, Process, Responsibility
from pdca.system.registers import (
    CONTEXT_ISSUES,
    INTERESTED_PARTIES,
    OBJECTIVES,
    PROCESSES,
    RESPONSIBILITIES,
)

ISSUES = [
    (
        "Shortage of skilled CNC machinists in the region",
        "external",
        "social",
        "negative",
        "Longer lead times when people leave; overtime risk",
        "Apprenticeship scheme with the local college",
    ),
    (
        "Aerospace customers require AS9100-style traceability",
        "external",
        "legal",
        "negative",
        "Every lot must be traceable to material certificates",
        "Traceability in the ERP; 8.5.2 controls",
    ),
    (
        "Energy prices for the machine shop",
        "external",
        "economic",
        "negative",
        "Margin pressure on long-cycle parts",
        "Energy monitoring per machine; night-shift planning",
    ),
    (
        "Customers moving drawings to cloud portals",
        "external",
        "technological",
        "mixed",
        "Faster exchange, new information security exposure",
        "Managed as information security risk IS-02",
    ),
    (
        "Long-standing, loyal workforce",
        "internal",
        "strength",
        "positive",
        "Deep process knowledge on the shop floor",
        "Knowledge capture in work instructions",
    ),
    (
        "Two ageing 5-axis machines",
        "internal",
        "weakness",
        "negative",
        "Unplanned downtime on complex parts",
        "Replacement in next year's capital plan",
    ),
    (
        "AI-assisted visual inspection pilot",
        "internal",
        "opportunity",
        "positive",
        "Fewer escapes of surface defects",
        "Run under the AI management system (42001)",
    ),
]

PARTIES = [
    (
        "Aerospace customers",
        "external",
        "customer",
        "high",
        "Conforming parts on time, full traceability, notification of changes",
        True,
        "Order review (8.2), traceability (8.5.2), on-time delivery objective",
        "Quarterly reviews; scorecards",
    ),
    (
        "Medical device customers",
        "external",
        "customer",
        "high",
        "Validated processes, cleanliness, protection of their drawings",
        True,
        "Process validation, information security controls on drawings",
        "Customer audits; complaints",
    ),
    (
        "Employees",
        "internal",
        "employee",
        "medium",
        "Safe workplace, training, fair workload",
        True,
        "Competence and training records; safety walks",
        "Staff survey; toolbox talks",
    ),
    (
        "Health and Safety Executive",
        "external",
        "regulator",
        "high",
        "Compliance with machinery and workplace safety law",
        True,
        "Legal register; machine guarding checks",
        "Legal updates subscription",
    ),
    (
        "Raw material suppliers",
        "external",
        "supplier",
        "medium",
        "Accurate forecasts and timely payment",
        False,
        "",
        "Supplier meetings twice a year",
    ),
    (
        "Neighbours of the Wakefield plant",
        "external",
        "community",
        "low",
        "Low noise at night, safe deliveries",
        True,
        "Delivery hours; noise checks",
        "Complaints log",
    ),
]

PROCESSES_DATA = [
    (
        "M-01",
        "Management review and planning",
        "management",
        "ceo@acme.example",
        "Set direction, objectives and resources",
        ["M-02"],
    ),
    (
        "M-02",
        "Internal audit and improvement",
        "management",
        "quality@acme.example",
        "Check the system works and improve it",
        ["M-01"],
    ),
    (
        "C-01",
        "Sales and order review",
        "core",
        "ceo@acme.example",
        "Turn enquiries into confirmed, feasible orders",
        ["C-02"],
    ),
    (
        "C-02",
        "Production planning",
        "core",
        "production@acme.example",
        "Schedule orders, programs and fixtures",
        ["C-03"],
    ),
    ("C-03", "CNC machining", "core", "production@acme.example", "Make parts to drawing", ["C-04"]),
    (
        "C-04",
        "Inspection and release",
        "core",
        "quality@acme.example",
        "Verify parts and release them with records",
        ["C-05"],
    ),
    (
        "C-05",
        "Dispatch",
        "core",
        "production@acme.example",
        "Pack, document and ship conforming parts",
        [],
    ),
    (
        "S-01",
        "Purchasing",
        "support",
        "production@acme.example",
        "Buy conforming material and services",
        ["C-03"],
    ),
    (
        "S-02",
        "People and competence",
        "support",
        "ceo@acme.example",
        "Recruit, train and keep competent people",
        ["C-03"],
    ),
    (
        "S-03",
        "IT and information security",
        "support",
        "admin@acme.example",
        "Keep systems and data available and protected",
        ["C-02", "C-04"],
    ),
    (
        "S-04",
        "Maintenance and calibration",
        "support",
        "production@acme.example",
        "Keep machines and gauges fit for use",
        ["C-03", "C-04"],
    ),
]

PROCESS_DETAILS = {
    "C-03": {
        "inputs": "Released work order\nCNC program and fixture\nCertified material",
        "outputs": "Machined parts\nFirst-off inspection record\nMachine log",
        "resources": "5-axis and 3-axis CNC machines\nCAM software\nCutting tools",
        "competence": "Qualified CNC machinist\nSetter for first-off",
        "methods": "WI-07 Machine set-up\nWI-08 First-off approval",
        "kpis": "Scrap rate\nOverall equipment effectiveness",
    },
    "C-04": {
        "inputs": "Machined parts\nDrawing and inspection plan",
        "outputs": "Released parts with certificate of conformity\nNonconforming parts quarantined",
        "resources": "CMM\nCalibrated gauges\nAI-assisted camera station",
        "competence": "Inspector (level 2)",
        "methods": "QP-09 Inspection and release\nQP-10 Control of nonconforming output",
        "kpis": "Escaped defects\nInspection lead time",
    },
}

RESPONSIBILITIES_DATA = [
    ("Approve the quality and information security policies", None),
    ("Review and accept customer orders", "C-01"),
    ("Release CNC programs to production", "C-02"),
    ("Release parts to the customer", "C-04"),
    ("Approve new suppliers", "S-01"),
    ("Grant access to customer drawings", "S-03"),
    ("Plan the internal audit programme", "M-02"),
]


def _objectives(today: dt.date) -> tuple[list[dict[str, Any]], dt.date, dt.date]:
    start = dt.date(today.year if today.month > 3 else today.year - 1, 1, 1)
    if (today - start).days < 200:
        start = dt.date(start.year - 1, 7, 1)
    due = dt.date(start.year + 1, 6, 30)
    return (
        [
            {
                "title": "On-time delivery at 96%",
                "kpi": "Orders delivered on time",
                "unit": "%",
                "direction": "at_least",
                "baseline": Decimal("89"),
                "target": Decimal("96"),
                "process": "C-05",
                "owner": "production@acme.example",
                "plan_what": "Daily dispatch meeting; capacity check at order review",
                "plan_resources": "ERP capacity report",
                "plan_evaluation": "Monthly KPI review",
            },
            {
                "title": "Scrap below 2%",
                "kpi": "Scrap rate",
                "unit": "%",
                "direction": "at_most",
                "baseline": Decimal("3.6"),
                "target": Decimal("2.0"),
                "process": "C-03",
                "owner": "production@acme.example",
                "plan_what": "First-off approval on every set-up; tool-life limits",
                "plan_resources": "Tool presetter",
                "plan_evaluation": "Monthly scrap report",
            },
            {
                "title": "Customer complaints at most 2 a month",
                "kpi": "Complaints per month",
                "unit": "complaints",
                "direction": "at_most",
                "baseline": Decimal("5"),
                "target": Decimal("2"),
                "process": "C-04",
                "owner": "quality@acme.example",
                "plan_what": "AI-assisted inspection; 8D on every complaint",
                "plan_resources": "Camera station",
                "plan_evaluation": "Management review",
            },
            {
                "title": "Every machinist trained on the new CAM release",
                "kpi": "Machinists trained",
                "unit": "%",
                "direction": "at_least",
                "baseline": Decimal("20"),
                "target": Decimal("100"),
                "process": "S-02",
                "owner": "ceo@acme.example",
                "plan_what": "Two-day course per shift",
                "plan_resources": "Training budget",
                "plan_evaluation": "Training records",
            },
            {
                "title": "Phishing test click rate under 5%",
                "kpi": "Click rate",
                "unit": "%",
                "direction": "at_most",
                "baseline": Decimal("18"),
                "target": Decimal("5"),
                "process": "S-03",
                "owner": "admin@acme.example",
                "plan_what": "Quarterly awareness sessions and tests",
                "plan_resources": "Test platform",
                "plan_evaluation": "Test results",
            },
        ],
        start,
        due,
    )


def _req(code: str, number: str):
    return Requirement.objects.filter(standard__code=code, number=number).first()


def load(org, actor) -> None:
    """Fill the demo organization's registers (called by `system.demo`)."""
    users = {u.email: u for u in User.objects.filter(email__endswith="@acme.example")}
    c41 = [r for r in (_req("iso9001-2015", "4.1"), _req("iso27001-2022", "4.1")) if r]
    for title, origin, category, effect, effect_text, response in ISSUES:
        if not ContextIssue.objects.filter(organization=org, title=title).exists():
            create_entry(
                CONTEXT_ISSUES,
                org,
                actor=actor,
                title=title,
                origin=origin,
                category=category,
                effect=effect,
                effect_description=effect_text,
                response=response,
                owner=actor,
                review_date=timezone.localdate() + dt.timedelta(days=180),
                requirements=c41,
            )
    for name, origin, category, influence, needs, addressed, how, monitoring in PARTIES:
        if not InterestedParty.objects.filter(organization=org, name=name).exists():
            create_entry(
                INTERESTED_PARTIES,
                org,
                actor=actor,
                name=name,
                origin=origin,
                category=category,
                influence=influence,
                needs=needs,
                addressed=addressed,
                how_addressed=how,
                monitoring=monitoring,
                owner=actor,
            )
    for code, name, category, owner, purpose, _ in PROCESSES_DATA:
        if not Process.objects.filter(organization=org, code=code).exists():
            create_entry(
                PROCESSES,
                org,
                actor=actor,
                code=code,
                name=name,
                category=category,
                owner=users.get(owner),
                purpose=purpose,
                **PROCESS_DETAILS.get(code, {}),
                requirements=[r for r in [_req("iso9001-2015", "4.4.1")] if r],
            )
    processes = {p.code: p for p in Process.objects.filter(organization=org)}
    from pdca.core.registers.services import update_entry

    for code, *_, feeds in PROCESSES_DATA:
        process = processes[code]
        if feeds and not process.feeds.exists():
            update_entry(PROCESSES, process, actor=actor, feeds=[processes[c] for c in feeds])
    for activity, process_code in RESPONSIBILITIES_DATA:
        if not Responsibility.objects.filter(organization=org, activity=activity).exists():
            create_entry(
                RESPONSIBILITIES,
                org,
                actor=actor,
                activity=activity,
                process=processes.get(process_code) if process_code else None,
            )
    objectives, start, due = _objectives(timezone.localdate())
    req62 = [r for r in (_req("iso9001-2015", "6.2.1"), _req("iso27001-2022", "6.2")) if r]
    for data in objectives:
        if Objective.objects.filter(organization=org, title=data["title"]).exists():
            continue
        data = dict(data)
        create_entry(
            OBJECTIVES,
            org,
            actor=actor,
            **{k: v for k, v in data.items() if k not in ("process", "owner")},
            process=processes.get(data["process"]),
            owner=users.get(data["owner"]),
            start_date=start,
            due_date=due,
            requirements=req62,
        )
