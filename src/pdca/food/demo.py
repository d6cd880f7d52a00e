"""Fenwick Foods' food safety hazard control (idempotent: nothing is added once its
prerequisite programmes exist): its scoring method, five prerequisite programmes at the York
bakery and the Leeds distribution centre with their verifications (a failed pest-control check
opened a nonconformity), the flow diagram of the sliced white loaf, its hazard analysis (baking
and metal detection are CCPs, sesame cross-contact an OPRP, pests left to the PRPs), the hazard
control plan with one oven deviation, and a mock recall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry
from pdca.food import services
from pdca.food.method_services import update_method
from pdca.food.models import FlowStep, HazardAnalysis, PrerequisiteProgramme
from pdca.food.registers import (
    CONTROL_PLAN,
    EXERCISES,
    FLOW_STEPS,
    FLOWS,
    HAZARDS,
    PREREQUISITE_PROGRAMMES,
)
from pdca.tenancy.models import Organization, Site

ORGANIZATION = "fenwick"
MANAGER = "foodsafety@fenwick.example"
PRODUCTION = "production@fenwick.example"

PROGRAMMES: list[dict[str, Any]] = [
    {
        "title": "Cleaning and sanitation of the bread line",
        "site": "BK1",
        "category": "cleaning",
        "frequency": "weekly",
        "description": "Daily dry clean of mixer, divider and moulder; weekly wet clean and "
        "ATP swabs of the mixer bowl, divider hopper and slicer blades (pass: under 150 RLU).",
    },
    {
        "title": "Pest control (contractor visits and bait stations)",
        "site": "BK1",
        "category": "pest_control",
        "frequency": "monthly",
        "description": "Contracted pest control: 24 numbered bait stations outside, insect "
        "light traps in the flour store and dispatch; monthly visit report reviewed by the "
        "food safety team.",
    },
    {
        "title": "Allergen management (sesame and soya)",
        "site": "BK1",
        "category": "allergens",
        "frequency": "monthly",
        "description": "Allergen matrix per product, sesame products scheduled last, validated "
        "clean-down before a sesame-free run, segregated storage of seeds.",
    },
    {
        "title": "Personal hygiene and protective clothing",
        "site": "BK1",
        "category": "personal_hygiene",
        "frequency": "weekly",
        "description": "Hand washing at entry, hair nets and beard snoods, no jewellery, "
        "return-to-work screening after illness.",
    },
    {
        "title": "Ambient storage and vehicle checks",
        "site": "DC1",
        "category": "storage",
        "frequency": "monthly",
        "description": "Clean, dry, pest-free racking; vehicles checked for cleanliness and "
        "odours before loading; first-in first-out by production date.",
    },
]

STEPS = [
    ("Receiving flour", "receiving", "Bulk flour tanker, sacked seeds", "Flour to silo"),
    ("Flour storage", "storage", "Flour", "Flour to the mixer"),
    ("Mixing", "processing", "Flour, water, yeast, salt, improver", "Dough"),
    ("Proving", "processing", "Divided dough pieces in tins", "Proved dough"),
    ("Baking", "cooking", "Proved dough", "Baked loaves"),
    ("Cooling", "cooling", "Baked loaves", "Cooled loaves"),
    ("Slicing", "processing", "Cooled loaves", "Sliced loaves, crumbs (waste)"),
    ("Bagging", "packing", "Sliced loaves, printed bags, clips", "Bagged loaves"),
    ("Metal detection", "inspection", "Bagged loaves", "Passed loaves, rejects"),
    ("Dispatch", "dispatch", "Passed loaves in trays", "Loaded vehicles"),
]


def load(context: dict) -> None:
    org = Organization.objects.filter(slug=ORGANIZATION).first()
    manager = User.objects.filter(email=MANAGER).first()
    if org is None or manager is None:
        return
    if PrerequisiteProgramme.objects.filter(organization=org).exists():
        return
    production = User.objects.filter(email=PRODUCTION).first()
    sites = {s.code: s for s in Site.objects.filter(organization=org)}
    today = timezone.localdate()
    update_method(
        org,
        actor=manager,
        name="Fenwick hazard scoring",
        significance_threshold=8,
        trace_target_hours=Decimal("4"),
        reconciliation_target_percent=Decimal("100"),
    )
    _programmes(org, manager, production, sites, today)
    steps = _flow(org, manager, production, sites, today)
    hazards = _hazards(org, manager, steps, today)
    _plan(org, manager, production, hazards, today)
    create_entry(
        EXERCISES,
        org,
        actor=manager,
        title="Mock recall: sliced white loaf, lot 2611-B",
        kind="mock_recall",
        exercised_on=today - dt.timedelta(days=20),
        product="Sliced white loaf 800 g",
        lot="2611-B",
        flow=steps[0].flow,
        site=sites.get("BK1"),
        one_step_back="Flour silo 2 (mill lot M-48812, delivered 3 days before), yeast lot "
        "Y-2291, bags lot P-0734.",
        one_step_forward="4,180 loaves: 3 retailers' depots (3,960) and the bakery shop (150); "
        "70 loaves in retained samples and waste.",
        minutes_taken=190,
        reconciled_percent=Decimal("100"),
        led_by=manager,
        lessons="The shop's sales were on paper: ask for the till export next time. The silo "
        "changeover time was found from the mill's delivery note, not our own log; log it.",
    )


def _programmes(org, manager, production, sites, today) -> None:
    made = []
    for data in PROGRAMMES:
        site = sites.get(data["site"])
        if site is None:
            continue
        made.append(
            create_entry(
                PREREQUISITE_PROGRAMMES,
                org,
                actor=manager,
                owner=production if data["category"] in ("cleaning", "personal_hygiene") else None,
                started_on=today - dt.timedelta(days=200),
                **{k: v for k, v in data.items() if k != "site"},
                site=site,
            )
        )
    by_category = {p.category: p for p in made}
    for category, days_ago in (("cleaning", 5), ("allergens", 25), ("personal_hygiene", 12)):
        if category in by_category:
            services.record_prp_verification(
                by_category[category],
                actor=manager,
                verified_on=today - dt.timedelta(days=days_ago),
                verifier=manager,
                result="conforming",
                notes="Checked against the schedule; records complete.",
                evidence="Cleaning schedule sheets, ATP swab log" if category == "cleaning" else "",
            )
    pests = by_category.get("pest_control")
    if pests is not None:
        services.record_prp_verification(
            pests,
            actor=manager,
            verified_on=today - dt.timedelta(days=40),
            verifier=manager,
            result="not_conforming",
            notes="Bait station 7 by the flour silo missing since the silo works; the "
            "contractor's report did not flag it.",
            evidence="Contractor visit report, site walk photos",
        )


def _flow(org, manager, production, sites, today) -> list[FlowStep]:
    flow = create_entry(
        FLOWS,
        org,
        actor=manager,
        name="Sliced white loaf",
        kind="product",
        description="800 g sliced white bread, sold wrapped to retailers; eaten without "
        "further cooking by the general public, toddlers included. Contains wheat (gluten); "
        "made on a line that also runs sesame-topped rolls.",
        site=sites.get("BK1"),
        owner=production,
        verified_on=today - dt.timedelta(days=60),
        verified_by=manager,
    )
    steps = []
    for number, (name, step_type, inputs, outputs) in enumerate(STEPS, start=1):
        steps.append(
            create_entry(
                FLOW_STEPS,
                org,
                actor=manager,
                flow=flow,
                number=number,
                name=name,
                step_type=step_type,
                inputs=inputs,
                outputs=outputs,
                rework="Dough trimmings back to mixing (same shift only)"
                if name == "Mixing"
                else "",
            )
        )
    return steps


def _hazards(org, manager, steps, today) -> dict[str, HazardAnalysis]:
    step = {s.name: s for s in steps}
    rows = {
        "pests": dict(
            step=step["Flour storage"],
            category="biological",
            hazard="Contamination by rodents or stored-product insects",
            source="Pests entering the flour store",
            likelihood=2,
            severity=3,
            control_measure="Pest control and building maintenance programmes",
        ),
        "mycotoxins": dict(
            step=step["Receiving flour"],
            category="chemical",
            hazard="Mycotoxins above legal limits in flour",
            source="Wheat harvested in wet conditions",
            likelihood=1,
            severity=4,
            control_measure="Approved mills with certificates of analysis per lot",
        ),
        "sesame": dict(
            step=step["Mixing"],
            category="allergen",
            hazard="Sesame cross-contact from the shared divider",
            source="Sesame-topped rolls run on the same line",
            likelihood=3,
            severity=4,
            control_measure="Sesame products run last; validated clean-down and sign-off "
            "before a sesame-free run",
            designed_to_control="no",
            later_step_controls="no",
            measurable_limit="no",
        ),
        "baking": dict(
            step=step["Baking"],
            category="biological",
            hazard="Survival of vegetative pathogens and moulds in under-baked loaves",
            source="Raw flour (E. coli, Salmonella) and the environment",
            likelihood=3,
            severity=4,
            control_measure="Baking to a core temperature of at least 92 °C",
            designed_to_control="yes",
            measurable_limit="yes",
            monitored_in_time="yes",
        ),
        "slicer": dict(
            step=step["Slicing"],
            category="physical",
            hazard="Metal fragments from worn slicer blades",
            source="Blade wear and breakage",
            likelihood=2,
            severity=4,
            control_measure="Blade inspection at start-up",
            designed_to_control="no",
            later_step_controls="yes",
        ),
        "metal": dict(
            step=step["Metal detection"],
            category="physical",
            hazard="Metal fragments in the bagged loaf",
            source="Slicer blades, mixer wear, incoming flour",
            likelihood=2,
            severity=5,
            control_measure="Metal detector with automatic reject of every bagged loaf",
            designed_to_control="yes",
            measurable_limit="yes",
            monitored_in_time="yes",
        ),
    }
    return {
        key: create_entry(
            HAZARDS,
            org,
            actor=manager,
            assessed_on=today - dt.timedelta(days=55),
            assessed_by=manager,
            **values,
        )
        for key, values in rows.items()
    }


def _plan(org, manager, production, hazards, today) -> None:
    baking = create_entry(
        CONTROL_PLAN,
        org,
        actor=manager,
        code="CCP-1",
        category="ccp",
        hazards=[hazards["baking"]],
        control_measure="Baking: oven profile 32 minutes at 230 °C",
        parameter="core temperature of the slowest loaf",
        unit="°C",
        lower_limit=Decimal("92"),
        critical_limits="Core at least 92 °C at the oven exit",
        monitoring_what="Core temperature of 3 loaves from the oven's cold corner",
        monitoring_how="Calibrated probe, logged on the bake sheet",
        monitoring_frequency="Every batch",
        monitored_by=production,
        corrections="Hold the batch; re-bake or destroy",
        corrective_actions="Oven engineer checks burners and profile; review the bake sheet",
        responsibilities="Oven operator monitors; shift leader holds; food safety team leader "
        "decides on release",
        records_kept="Bake sheet, probe calibration log",
        owner=production,
        validated_on=today - dt.timedelta(days=150),
        validation_method="Temperature mapping of the oven with data loggers in 12 loaves",
        validation_result="valid",
        verification="Weekly review of bake sheets; monthly probe calibration",
        last_verified_on=today - dt.timedelta(days=6),
    )
    create_entry(
        CONTROL_PLAN,
        org,
        actor=manager,
        code="CCP-2",
        category="ccp",
        hazards=[hazards["metal"]],
        control_measure="Metal detection with automatic reject",
        parameter="ferrous test piece detected",
        unit="mm",
        upper_limit=Decimal("2.0"),
        critical_limits="Detects and rejects Fe 2.0 mm, non-Fe 2.5 mm, stainless 3.0 mm",
        monitoring_what="Test pieces passed through in a loaf",
        monitoring_how="Three test pieces, leading and trailing edge",
        monitoring_frequency="Start-up, hourly and at changeover",
        monitored_by=production,
        corrections="Hold everything since the last good check and re-inspect it",
        corrective_actions="Engineer resets and revalidates the detector",
        responsibilities="Packing operator checks; shift leader holds product",
        records_kept="Metal detector check sheet",
        owner=production,
        validated_on=today - dt.timedelta(days=150),
        validation_method="Supplier's sensitivity certificate and on-line trials",
        validation_result="valid",
        verification="Weekly check sheet review",
    )
    create_entry(
        CONTROL_PLAN,
        org,
        actor=manager,
        code="OPRP-1",
        category="oprp",
        hazards=[hazards["sesame"]],
        control_measure="Sesame last, validated clean-down before a sesame-free run",
        action_criteria="Clean-down not signed off, or a visible seed on the divider after it",
        monitoring_what="Clean-down checklist and visual inspection",
        monitoring_how="Shift leader inspects and signs",
        monitoring_frequency="Every changeover from sesame",
        corrections="Stop, re-clean, hold product made since",
        corrective_actions="Retrain the cleaning crew; review the schedule",
        responsibilities="Shift leader",
        records_kept="Allergen changeover checklist",
        owner=production,
        validated_on=today - dt.timedelta(days=120),
        validation_method="Sesame protein swabs after three clean-downs",
        validation_result="valid",
    )
    services.record_deviation(
        baking,
        actor=manager,
        occurred_on=today - dt.timedelta(days=9),
        value=Decimal("88.5"),
        observation="Oven 2 cold corner after a burner fault",
        product_affected="Batch 1142 (380 loaves)",
        product_action="destroyed",
        correction="Batch held and destroyed; oven 2 stopped until the burner was repaired.",
    )
