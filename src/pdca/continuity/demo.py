"""Fenwick Foods' business continuity (a craft bakery in York with a distribution centre in
Leeds): analyses of bread production, order taking and dispatch, and payroll with their
dependencies; two strategies; the plan for losing the bakery with its roles and contacts; a
tabletop exercise done, whose improvement opened a nonconformity; and one planned exercise.
Idempotent: nothing happens once the organization has an analysis."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.continuity import registers, services
from pdca.continuity.models import BusinessImpactAnalysis
from pdca.core.registers.services import create_entry, update_entry
from pdca.tenancy.models import Organization, Site

ORGANIZATION = "fenwick"
MANAGER = "foodsafety@fenwick.example"
PEOPLE = {
    "ceo": "ceo@fenwick.example",
    "production": "production@fenwick.example",
    "employee": "employee@fenwick.example",
}

#: (activity, product, site, owner, grid per category, MTPD, RTO, RPO, minimum level, approve)
ANALYSES: list[dict[str, Any]] = [
    {
        "activity": "Bread production",
        "product_service": "Sliced loaves and rolls for regional supermarkets",
        "description": "Mixing, proving, baking, cooling and slicing on two deck-oven lines "
        "at the York bakery, six nights a week.",
        "site": "BK1",
        "owner": "production",
        "impacts": {
            "financial": [1, 2, 3, 4, 4, 5],
            "customer-reputation": [2, 4, 4, 5, 5, 5],
            "legal-regulatory": [1, 1, 2, 2, 2, 3],
            "health-safety": [1, 1, 1, 1, 1, 1],
        },
        "mtpd_hours": 24,
        "rto_hours": 12,
        "rpo_hours": 4,
        "mbco": "Half the usual 6,000 loaves a night: white and wholemeal sliced only, no "
        "speciality lines.",
        "approve": True,
    },
    {
        "activity": "Order taking and dispatch",
        "product_service": "Next-morning deliveries to 140 stores",
        "description": "Stores order through the web shop and EDI by 14:00; the Leeds "
        "distribution centre picks and loads the vans from 03:00.",
        "site": "DC1",
        "owner": "production",
        "impacts": {
            "financial": [1, 3, 4, 4, 5, 5],
            "customer-reputation": [2, 4, 5, 5, 5, 5],
            "legal-regulatory": [1, 1, 1, 2, 2, 2],
            "health-safety": [1, 1, 1, 1, 1, 1],
        },
        "mtpd_hours": 24,
        "rto_hours": 8,
        "rpo_hours": 1,
        "mbco": "Standing orders of the top 40 stores, taken by phone and loaded by hand.",
        "approve": True,
    },
    {
        "activity": "Payroll",
        "product_service": "Weekly pay for 105 staff",
        "description": "Hours from the clocking system go to the payroll bureau on Tuesday; "
        "pay reaches accounts on Friday.",
        "site": "BK1",
        "owner": "ceo",
        "impacts": {
            "financial": [1, 1, 1, 2, 2, 3],
            "customer-reputation": [1, 1, 1, 2, 3, 3],
            "legal-regulatory": [1, 1, 2, 4, 4, 5],
            "health-safety": [1, 1, 1, 1, 1, 1],
        },
        "mtpd_hours": 168,
        "rto_hours": 72,
        "rpo_hours": 24,
        "mbco": "Everyone paid last week's amount, corrected the week after.",
        "approve": False,
    },
]

DEPENDENCIES = {
    "Bread production": [
        ("supplier", "Millers & Co flour mill, Selby", "Two tonnes of bread flour a night", 12),
        ("equipment", "Deck ovens, lines 1 and 2", "One line at full heat", 12),
        ("people", "Night-shift bakers", "Four bakers and a shift leader", 8),
    ],
    "Order taking and dispatch": [
        ("it_system", "Order system (web shop and EDI)", "Orders of the top 40 stores", 4),
        ("site", "DC1 Distribution centre, Leeds", "Loading bay and two chilled vans", 8),
    ],
    "Payroll": [
        ("supplier", "Payroll bureau", "Monday's hours file", 72),
        ("information", "Clocking records", "The last complete week", 48),
    ],
}


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def load(context: dict) -> None:
    org = Organization.objects.filter(slug=ORGANIZATION).first()
    manager = User.objects.filter(email=MANAGER).first()
    if org is None or manager is None:
        return
    if BusinessImpactAnalysis.objects.filter(organization=org).exists():
        return
    people = {k: User.objects.filter(email=v).first() for k, v in PEOPLE.items()}
    sites = {s.code: s for s in Site.objects.filter(organization=org)}
    bias = {row["activity"]: _analysis(org, manager, row, people, sites) for row in ANALYSES}
    strategies = _strategies(org, manager, bias, people)
    plan = _plan(org, manager, bias, strategies, people)
    _exercises(org, manager, bias, plan, people)


def _analysis(org, manager, row, people, sites) -> BusinessImpactAnalysis:
    bia = create_entry(
        registers.BUSINESS_IMPACT_ANALYSES,
        org,
        actor=manager,
        activity=row["activity"],
        product_service=row["product_service"],
        description=row["description"],
        site=sites.get(row["site"]),
        owner=people.get(row["owner"]),
        review_date=_days(300),
    )
    services.assess_impacts(bia, actor=manager, impacts=row["impacts"])
    update_entry(
        registers.BUSINESS_IMPACT_ANALYSES,
        bia,
        actor=manager,
        mtpd_hours=row["mtpd_hours"],
        rto_hours=row["rto_hours"],
        rpo_hours=row["rpo_hours"],
        mbco=row["mbco"],
    )
    for kind, name, need, hours in DEPENDENCIES[row["activity"]]:
        create_entry(
            registers.BIA_DEPENDENCIES,
            org,
            actor=manager,
            bia=bia,
            kind=kind,
            name=name,
            recovery_need=need,
            rto_hours=hours,
        )
    if row["approve"]:
        update_entry(registers.BUSINESS_IMPACT_ANALYSES, bia, actor=manager, status="approved")
    return bia


def _strategies(org, manager, bias, people) -> list:
    mill = create_entry(
        registers.CONTINUITY_STRATEGIES,
        org,
        actor=manager,
        title="Second flour mill",
        kind="second_supplier",
        description="Hopwood Mills in Malton is approved for our bread flour spec and holds "
        "a call-off contract for up to two weeks of supply at 24 hours' notice.",
        activities=[bias["Bread production"]],
        resources="Call-off contract; flour spec approved by the food safety team; one "
        "silo kept for the second mill's flour.",
        cost_note="£1,800 a year retainer; flour at list price plus 4 % when called off.",
        status="implemented",
        owner=people["production"],
    )
    reciprocal = create_entry(
        registers.CONTINUITY_STRATEGIES,
        org,
        actor=manager,
        title="Reciprocal agreement with Ouse Valley Bakery",
        kind="reciprocal",
        description="Ouse Valley Bakery in Tadcaster bakes our white and wholemeal lines on "
        "its spare night shift; we do the same for them.",
        activities=[bias["Bread production"], bias["Order taking and dispatch"]],
        resources="Our recipes and allergen controls shared under NDA; two of our bakers "
        "work at their site; our vans collect from Tadcaster.",
        cost_note="Costs of ingredients and labour recharged at cost; no standing fee.",
        status="approved",
        owner=manager,
    )
    return [mill, reciprocal]


def _plan(org, manager, bias, strategies, people):
    plan = create_entry(
        registers.CONTINUITY_PLANS,
        org,
        actor=manager,
        title="Loss of the bakery",
        activities=[bias["Bread production"], bias["Order taking and dispatch"]],
        strategies=strategies,
        activation_criteria="The York bakery cannot bake for more than 4 hours (fire, flood, "
        "power, gas or a contamination closure). The incident lead decides, or the deputy "
        "when the lead cannot be reached within 30 minutes.",
        recovery_steps="1. Make the site safe and account for everyone.\n"
        "2. Call Ouse Valley Bakery and agree the night's volumes.\n"
        "3. Send two bakers and the allergen pack to Tadcaster.\n"
        "4. Tell the top 40 stores tonight's reduced range.\n"
        "5. Re-route the vans to collect from Tadcaster.\n"
        "6. Restore the York lines and return to normal, one line at a time.",
        version="2",
        last_reviewed=_days(-40),
        owner=manager,
    )
    for role, person, deputy, deputy_name, duties in (
        (
            "Incident lead",
            manager,
            people["production"],
            "",
            "Activates the plan, decides on volumes, keeps the log.",
        ),
        (
            "Production recovery",
            people["production"],
            None,
            "Tom Crust, night-shift leader",
            "Runs baking at the partner bakery and the restart at York.",
        ),
        (
            "Communications",
            people["ceo"],
            None,
            "Fay Admin, office manager",
            "Customers, staff and, if needed, the press.",
        ),
    ):
        create_entry(
            registers.PLAN_ROLES,
            org,
            actor=manager,
            plan=plan,
            role=role,
            person=person,
            deputy=deputy,
            deputy_name=deputy_name,
            responsibilities=duties,
        )
    for name, company, role, phone, email, kind in (
        ("Fire and rescue", "North Yorkshire Fire and Rescue", "", "999", "", "emergency"),
        (
            "Night manager",
            "Ouse Valley Bakery",
            "Partner bakery",
            "01937 555 210",
            "nights@ousevalley.example",
            "external",
        ),
        (
            "Order desk",
            "Hopwood Mills",
            "Second flour mill",
            "01653 555 480",
            "orders@hopwood.example",
            "supplier",
        ),
        (
            "Ravi Packer",
            "Fenwick Foods",
            "Line operator, first aider",
            "07700 900 412",
            "",
            "internal",
        ),
    ):
        create_entry(
            registers.PLAN_CONTACTS,
            org,
            actor=manager,
            plan=plan,
            name=name,
            company=company,
            role=role,
            phone=phone,
            email=email,
            kind=kind,
        )
    update_entry(registers.CONTINUITY_PLANS, plan, actor=manager, status="approved")
    return plan


def _exercises(org, manager, bias, plan, people) -> None:
    tabletop = create_entry(
        registers.EXERCISES,
        org,
        actor=manager,
        title="Tabletop: oven fire at the York bakery",
        exercise_type="tabletop",
        planned_date=_days(-80),
        plans=[plan],
        activities=[bias["Bread production"]],
        scenario="At 23:40 a fire in the line 2 oven flue closes the bakery for a week.",
        objectives="Show that the night's core range can be baked elsewhere within the 12-hour "
        "RTO, and that every number on the contact list answers.",
        participants="Hugo Baker, Mina Line, Grace Fenwick, Tom Crust; observer from Ouse "
        "Valley Bakery.",
        owner=manager,
    )
    services.complete_exercise(
        tabletop,
        actor=manager,
        actual_date=_days(-80),
        objectives_met="partly",
        measured_recovery_hours=14,
        observations="Baking at Tadcaster could start only after 14 hours: the partner's night "
        "manager was reached on the third try, through a mobile number that was out of date.",
    )
    gap = create_entry(
        registers.EXERCISE_IMPROVEMENTS,
        org,
        actor=manager,
        exercise=tabletop,
        description="Agree a night-time call-out number with Ouse Valley Bakery and test it "
        "each quarter",
        owner=manager,
        due_date=_days(20),
    )
    services.raise_nonconformity(gap, actor=manager)
    create_entry(
        registers.EXERCISE_IMPROVEMENTS,
        org,
        actor=manager,
        exercise=tabletop,
        description="Keep a printed allergen pack in each van",
        owner=people["production"],
        due_date=_days(-10),
        status="done",
    )
    create_entry(
        registers.EXERCISES,
        org,
        actor=manager,
        title="Walkthrough: order system outage",
        exercise_type="walkthrough",
        planned_date=_days(90),
        plans=[plan],
        activities=[bias["Order taking and dispatch"]],
        scenario="The web shop and EDI are down from 10:00 on a Thursday.",
        objectives="Take the top 40 stores' standing orders by phone and load the vans by "
        "03:00 within the 8-hour RTO.",
        participants="Distribution centre team, Mina Line, Hugo Baker.",
        owner=people["production"],
    )
