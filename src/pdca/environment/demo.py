"""Acme's environmental management system (idempotent: nothing is added once its aspects
exist): seven aspects at the Wakefield machining plant and the Leeds head office, assessed on
the default significance method (three come out significant), one environmental objective and
one operational control, four compliance obligations each with a recorded evaluation, one of
them partially compliant, which opened a nonconformity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry
from pdca.documents.models import Document
from pdca.documents.registers import DOCUMENTS
from pdca.environment.dates import add_months
from pdca.environment.models import Aspect, ComplianceObligation
from pdca.environment.registers import ASPECTS, EVALUATIONS, OBLIGATIONS
from pdca.environment.services import assess_aspect, record_evaluation
from pdca.system.models import Objective, Process
from pdca.system.objectives.services import record_measurement
from pdca.system.registers import OBJECTIVES
from pdca.tenancy.models import Organization, Site

ORGANIZATION = "acme"
MANAGER = "quality@acme.example"
PRODUCTION = "production@acme.example"
OBJECTIVE = "Cut cutting-fluid concentrate use by 15%"
CONTROL = "Coolant, swarf and spill handling"

OBLIGATIONS_DATA: list[dict[str, Any]] = [
    {
        "title": "Waste duty of care",
        "kind": "legal",
        "source": "law",
        "reference": "Environmental Protection Act 1990 s.34; Waste (England and Wales) "
        "Regulations 2011",
        "jurisdiction": "England",
        "requires": "Keep our waste secure, hand it only to registered carriers taking it to "
        "permitted sites, describe it on a transfer note (a consignment note for hazardous "
        "waste such as spent coolant) and keep the notes: two years, three for consignment "
        "notes.",
        "owner": PRODUCTION,
        "evaluation_frequency": 12,
    },
    {
        "title": "Trade effluent consent for the parts washer",
        "kind": "legal",
        "source": "permit",
        "reference": "Consent to discharge trade effluent TE/4471 (illustrative number)",
        "jurisdiction": "Yorkshire Water area",
        "site": "PL1",
        "requires": "Discharge only the parts washer's rinse water to the foul sewer: pH 6 to "
        "10, no free oil, at most 5 m³ a day; take a sample every month and keep the results "
        "for the water company.",
        "owner": PRODUCTION,
        "evaluation_frequency": 6,
    },
    {
        "title": "F-gas rules for the coolant chillers",
        "kind": "legal",
        "source": "law",
        "reference": "Fluorinated Greenhouse Gases Regulations 2015 (as amended)",
        "jurisdiction": "Great Britain",
        "site": "PL1",
        "requires": "Have the two R410A coolant chillers leak-checked at the interval their "
        "CO₂-equivalent charge sets, only by F-gas certified engineers, and keep the leak-check "
        "and service records for five years.",
        "owner": MANAGER,
        "evaluation_frequency": 12,
    },
    {
        "title": "Aerospace customer's packaging requirement",
        "kind": "other",
        "source": "customer",
        "reference": "Customer supplier manual, packaging section",
        "jurisdiction": "",
        "requires": "Ship in returnable crates or recyclable packaging, never expanded "
        "polystyrene, and report the packaging weight per delivery every quarter.",
        "owner": PRODUCTION,
        "evaluation_frequency": 12,
    },
]

#: (days before today, or "13 months" for one now overdue; result; findings)
EVALUATIONS_DATA: dict[str, tuple[int | str, str, str]] = {
    "Waste duty of care": (
        40,
        "compliant",
        "Checked both waste contractors' carrier registrations on the public register; "
        "transfer notes for swarf and general waste complete for the last twelve months; "
        "consignment notes for the four spent-coolant collections on file.",
    ),
    "Trade effluent consent for the parts washer": (
        20,
        "partial",
        "Monthly samples taken in ten of the last twelve months: August and September were "
        "missed during the summer shutdown. The June sample read pH 10.4, above the limit, and "
        "nothing shows it was followed up. Daily volume stayed within 5 m³.",
    ),
    "F-gas rules for the coolant chillers": (
        "13 months",
        "compliant",
        "Leak checks of both chillers done by a certified engineer in the last year; "
        "certificates and the service log are in the maintenance file.",
    ),
    "Aerospace customer's packaging requirement": (
        100,
        "compliant",
        "Every delivery sampled went in returnable crates; quarterly packaging weights sent to "
        "the customer's portal on time.",
    ),
}

#: Scores on the default method: severity, probability, scale, legal, stakeholder (sum; from
#: 15 significant; legal concern at 5 significant whatever the total).
ASPECTS_DATA: list[dict[str, Any]] = [
    {
        "code": "EA-01",
        "title": "Use and disposal of water-miscible cutting fluid",
        "activity": "CNC machining of aluminium and stainless parts",
        "lifecycle_stage": "production",
        "condition": "normal",
        "impact_category": "water",
        "impact": "Contamination of drains, the beck and land if spent coolant escapes; use of "
        "mineral-oil concentrate.",
        "site": "PL1",
        "process": "C-03",
        "controls": "Concentration checked daily with a refractometer; sumps topped up from "
        "the central mixer; spent coolant collected by a licensed contractor.",
        "obligations": ["Waste duty of care", "Trade effluent consent for the parts washer"],
        "objective": True,
        "control": True,
        "scores": (4, 4, 3, 4, 2),
    },
    {
        "code": "EA-02",
        "title": "Metal swarf and turnings",
        "activity": "CNC machining",
        "lifecycle_stage": "production",
        "condition": "normal",
        "impact_category": "waste",
        "impact": "Loss of metal if not recycled; oily swarf left in the open can leach oil "
        "into the ground.",
        "site": "PL1",
        "process": "C-03",
        "controls": "Swarf segregated by alloy into covered skips; spun to remove coolant "
        "before collection by a metal recycler.",
        "obligations": ["Waste duty of care"],
        "control": True,
        "scores": (3, 5, 2, 3, 2),
    },
    {
        "code": "EA-03",
        "title": "Electricity used by the compressed-air system",
        "activity": "Compressed air for machine clamping and blow-off",
        "lifecycle_stage": "production",
        "condition": "normal",
        "impact_category": "energy",
        "impact": "Greenhouse gas emissions from grid electricity; leaks waste a share of the "
        "compressors' output.",
        "site": "PL1",
        "process": "S-04",
        "controls": "Compressors switched off at weekends; ultrasonic leak survey each year.",
        "scores": (3, 5, 2, 1, 2),
    },
    {
        "code": "EA-04",
        "title": "Solvent emissions from the parts degreaser",
        "activity": "Degreasing parts before inspection",
        "lifecycle_stage": "production",
        "condition": "normal",
        "impact_category": "air",
        "impact": "Volatile organic compounds released to air, adding to ground-level ozone.",
        "site": "PL1",
        "process": "C-04",
        "controls": "Lid kept closed between loads; solvent usage logged each month.",
        "scores": (3, 4, 2, 3, 2),
    },
    {
        "code": "EA-05",
        "title": "Coolant spill from a machine sump or the bulk container",
        "activity": "Storing and transferring cutting fluid",
        "lifecycle_stage": "production",
        "condition": "emergency",
        "impact_category": "water",
        "impact": "Coolant reaching the surface-water drain in the yard and from there the "
        "beck behind the plant: harm to aquatic life.",
        "site": "PL1",
        "process": "C-03",
        "controls": "Bulk container on a bunded pallet; spill kits at each machine row; drain "
        "cover by the yard gully.",
        "obligations": ["Trade effluent consent for the parts washer"],
        "control": True,
        "scores": (5, 2, 3, 5, 3),
    },
    {
        "code": "EA-06",
        "title": "Packaging waste from dispatch",
        "activity": "Packing parts for delivery",
        "subject": "product",
        "lifecycle_stage": "transport",
        "condition": "normal",
        "impact_category": "waste",
        "impact": "Cardboard, film and foam to landfill when customers cannot return or "
        "recycle it.",
        "site": "PL1",
        "process": "C-05",
        "controls": "Returnable crates for the two largest customers; film recycled.",
        "obligations": ["Aerospace customer's packaging requirement"],
        "scores": (2, 5, 2, 2, 3),
    },
    {
        "code": "EA-07",
        "title": "Office electricity and heating",
        "activity": "Sales, engineering support and administration",
        "subject": "service",
        "lifecycle_stage": "support",
        "condition": "normal",
        "impact_category": "climate",
        "impact": "Greenhouse gas emissions from electricity and gas heating.",
        "site": "HQ",
        "controls": "LED lighting; heating on a timer.",
        "scores": (2, 5, 1, 1, 1),
    },
]

KEYS = ("severity", "probability", "scale", "legal", "stakeholder")


def _when(today: dt.date, ago: int | str) -> dt.date:
    if isinstance(ago, str):
        return add_months(today, -int(ago.split()[0]))
    return today - dt.timedelta(days=ago)


def _objective(org, manager, owner, process) -> Objective:
    existing = Objective.objects.filter(organization=org, title=OBJECTIVE).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    objective = create_entry(
        OBJECTIVES,
        org,
        actor=manager,
        title=OBJECTIVE,
        description="Less concentrate bought and less spent coolant to dispose of, through "
        "better concentration control and sump maintenance.",
        owner=owner,
        process=process,
        kpi="Litres of concentrate per 1,000 spindle hours",
        unit="l",
        direction="at_most",
        baseline=42,
        target=36,
        start_date=today - dt.timedelta(days=30),
        due_date=dt.date(today.year + 1, 12, 31),
        plan_what="Central mixer with automatic dosing; weekly sump skimming; monthly review "
        "of usage per machine.",
    )
    # Its first month's figure, recorded here: the system demo gives measurements only to
    # objectives that have none, and would otherwise add them on the next run.
    record_measurement(
        objective,
        measured_on=today - dt.timedelta(days=2),
        value="41.6",
        note="First month with the central mixer",
        actor=manager,
    )
    return objective


def _control(org, manager, owner, process) -> Document:
    existing = Document.objects.filter(organization=org, title=CONTROL).first()
    if existing is not None:
        return existing
    return create_entry(
        DOCUMENTS,
        org,
        actor=manager,
        title=CONTROL,
        doc_type="work_instruction",
        owner=owner,
        description="How machinists mix, check and dispose of coolant, handle swarf, and "
        "respond to a coolant spill.",
        processes=[process] if process else [],
    )


def load(context: dict) -> None:
    org = Organization.objects.filter(slug=ORGANIZATION).first()
    manager = User.objects.filter(email=MANAGER).first()
    if org is None or manager is None:
        return
    if Aspect.objects.filter(organization=org).exists():
        return
    users = {u.email: u for u in User.objects.filter(email__endswith="@acme.example")}
    sites = {s.code: s for s in Site.objects.filter(organization=org)}
    processes = {p.code: p for p in Process.objects.filter(organization=org)}
    today = timezone.localdate()
    obligations: dict[str, ComplianceObligation] = {}
    for data in OBLIGATIONS_DATA:
        values = dict(data)
        values["owner"] = users.get(values["owner"])
        values["site"] = sites.get(values.get("site", ""))
        obligations[data["title"]] = create_entry(
            OBLIGATIONS,
            org,
            actor=manager,
            review_date=today + dt.timedelta(days=180),
            **values,
        )
    production = users.get(PRODUCTION)
    objective = _objective(org, manager, production, processes.get("C-03"))
    control = _control(org, manager, production, processes.get("C-03"))
    for data in ASPECTS_DATA:
        values = dict(data)
        scores = dict(zip(KEYS, values.pop("scores"), strict=True))
        with_objective = values.pop("objective", False)
        with_control = values.pop("control", False)
        values["site"] = sites.get(values["site"])
        values["process"] = processes.get(values.get("process", ""))
        values["obligations"] = [obligations[t] for t in values.get("obligations", [])]
        values["objectives"] = [objective] if with_objective else []
        values["documents"] = [control] if with_control else []
        aspect = create_entry(
            ASPECTS,
            org,
            actor=manager,
            owner=production,
            review_date=today + dt.timedelta(days=365),
            **values,
        )
        assess_aspect(aspect, actor=manager, scores=scores)
    for title, (ago, result, findings) in EVALUATIONS_DATA.items():
        evaluation = create_entry(
            EVALUATIONS,
            org,
            actor=manager,
            obligation=obligations[title],
            evaluated_on=_when(today, ago),
            evaluator=manager,
            result=result,
            findings=findings,
        )
        record_evaluation(evaluation, actor=manager)
    context["environment_aspects"] = len(ASPECTS_DATA)
