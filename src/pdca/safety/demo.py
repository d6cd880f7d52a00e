"""Acme's OH&S demo at the Wakefield machining plant: five hazards with controls at several
levels of the hierarchy, a toolbox talk with Eli Employee, a forklift near miss investigated
with a nonconformity opened, and a first-aid injury closed (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry
from pdca.safety.models import Consultation, Hazard, Incident
from pdca.safety.registers import CONSULTATIONS, HAZARD_CONTROLS, HAZARDS
from pdca.safety.services.incidents import (
    investigate_incident,
    report_incident,
    transition_incident,
)
from pdca.system.models import Process
from pdca.tenancy.models import Organization, Site

MANAGER = "quality@acme.example"
PRODUCTION = "production@acme.example"
EMPLOYEE = "employee@acme.example"

HAZARD_DATA: list[dict[str, Any]] = [
    {
        "code": "HZ-001",
        "title": "Entanglement in a CNC lathe's rotating chuck",
        "activity": "Setting and loading the CNC lathes",
        "process": "C-03",
        "location": "Turning cell, bay 2",
        "situation": "routine",
        "hazard_type": "mechanical",
        "people": ("employees",),
        "harm": "Sleeve, glove or hair caught by the chuck or bar: crushed hand, amputation",
        "ratings": (3, 5, 1, 5),
        "status": "controlled",
        "controls": [
            ("Interlocked doors stop the spindle when opened", "engineering", "in_place"),
            ("No gloves, loose sleeves or jewellery at the lathes", "administrative", "in_place"),
        ],
    },
    {
        "code": "HZ-002",
        "title": "Dermatitis from metalworking fluid",
        "activity": "Handling wet parts and topping up coolant",
        "process": "C-03",
        "location": "All machining cells",
        "situation": "routine",
        "hazard_type": "chemical",
        "people": ("employees", "contractors"),
        "harm": "Irritant or allergic contact dermatitis on hands and forearms",
        "ratings": (4, 3, 2, 3),
        "status": "assessed",
        "justification": "Coolant cannot be removed from the cutting process; a lower-hazard "
        "fluid is being trialled (substitution, not adopted yet).",
        "controls": [
            (
                "Boron-free, low-biocide coolant",
                "substitution",
                "not_adopted",
                "Trialled on two machines in 2025: tool life fell by a third; re-trial planned",
            ),
            ("Weekly coolant concentration and pH checks", "administrative", "in_place"),
            (
                "Skin checks by the occupational health nurse every six months",
                "administrative",
                "planned",
            ),
            (
                "Nitrile gloves for handling wet parts away from rotating spindles",
                "ppe",
                "in_place",
            ),
        ],
    },
    {
        "code": "HZ-003",
        "title": "Manual handling of bar stock",
        "activity": "Loading bar stock into the saw and bar feeders",
        "process": "C-03",
        "location": "Saw bay and bar racks",
        "situation": "routine",
        "hazard_type": "ergonomic",
        "people": ("employees",),
        "harm": "Back injury lifting 6 m bars; crushed fingers when bars roll",
        "ratings": (4, 3, 2, 2),
        "status": "controlled",
        "controls": [
            ("Vacuum lifter on the saw bay gantry", "engineering", "in_place"),
            ("Bars over 25 kg lifted by the gantry only", "administrative", "in_place"),
        ],
    },
    {
        "code": "HZ-004",
        "title": "Noise from the saws and machining centres",
        "activity": "Cutting and machining",
        "process": "C-03",
        "location": "Machine shop floor",
        "situation": "routine",
        "hazard_type": "physical",
        "people": ("employees", "contractors", "visitors"),
        "harm": "Noise-induced hearing loss and tinnitus (exposure about 87 dB(A))",
        "ratings": (4, 3, 3, 3),
        "status": "assessed",
        "controls": [
            ("Acoustic enclosure around the bar saw", "engineering", "planned"),
            ("Hearing protection zone signs and annual audiometry", "administrative", "in_place"),
            ("Ear defenders issued and worn in the zone", "ppe", "in_place"),
        ],
    },
    {
        "code": "HZ-005",
        "title": "Forklift traffic near pedestrians",
        "activity": "Moving bar stock and finished parts by forklift",
        "process": "C-05",
        "location": "Goods-in, saw bay and dispatch aisle",
        "situation": "routine",
        "hazard_type": "transport",
        "people": ("employees", "contractors", "visitors"),
        "harm": "Pedestrian struck or crushed by a reversing forklift",
        "ratings": (3, 5, 2, 5),
        "status": "assessed",
        "controls": [
            ("Separate goods-in door for deliveries", "elimination", "planned"),
            ("Barriers between the walkway and the forklift aisle", "engineering", "in_place"),
            ("Blue spot lights and reversing alarms on both trucks", "engineering", "in_place"),
            ("Forklift licence and yearly refresher", "administrative", "in_place"),
        ],
    },
]


def _people(data: dict) -> dict[str, bool]:
    return {
        f"affects_{group}": group in data["people"]
        for group in ("employees", "contractors", "visitors", "public")
    }


def _hazards(org, manager, production, site) -> dict[str, Hazard]:
    processes = {p.code: p for p in Process.objects.filter(organization=org)}
    made = {}
    for data in HAZARD_DATA:
        lb, sb, la, sa = data["ratings"]
        hazard = create_entry(
            HAZARDS,
            org,
            actor=manager,
            code=data["code"],
            title=data["title"],
            activity=data["activity"],
            site=site,
            process=processes.get(data["process"]),
            location=data["location"],
            situation=data["situation"],
            hazard_type=data["hazard_type"],
            harm=data["harm"],
            likelihood_before=lb,
            severity_before=sb,
            likelihood_after=la,
            severity_after=sa,
            higher_controls_justification=data.get("justification", ""),
            owner=production,
            review_date=dt.date(2027, 1, 31),
            status=data["status"],
            **_people(data),
        )
        for control in data["controls"]:
            title, level, status = control[:3]
            create_entry(
                HAZARD_CONTROLS,
                org,
                actor=manager,
                hazard=hazard,
                title=title,
                level=level,
                status=status,
                notes=control[3] if len(control) > 3 else "",
                owner=production,
                due_date=dt.date(2026, 9, 30) if status == "planned" else None,
            )
        made[data["code"]] = hazard
    return made


def _incidents(org, manager, employee, site, hazards) -> None:
    now = timezone.now()
    near_miss = report_incident(
        org,
        actor=employee,
        title="Reversing forklift passed within a metre of a machinist",
        kind=Incident.Kind.NEAR_MISS,
        occurred_at=now - dt.timedelta(days=20),
        site=site,
        location="End of the saw bay walkway",
        involved_employees=True,
        people_involved="Eli Employee (machinist), forklift driver from dispatch",
        description="The walkway barrier stops at the saw bay; a forklift reversing out of the "
        "aisle came within a metre of a machinist carrying a part to inspection.",
        immediate_actions="Area coned off; drivers briefed at the shift start.",
        hazards=[hazards["HZ-005"]],
    )
    investigate_incident(
        near_miss,
        actor=manager,
        investigator=manager,
        root_cause="The walkway barrier was not extended when the saw bay was moved in 2025.",
        contributing_factors="Reversing alarm volume turned down after noise complaints.",
        findings="Pedestrians cross the forklift route at the saw bay with no barrier or "
        "crossing point.",
        action_needed=True,
    )
    injury = report_incident(
        org,
        actor=employee,
        title="Cut finger clearing swarf",
        kind=Incident.Kind.INJURY,
        occurred_at=now - dt.timedelta(days=45),
        site=site,
        location="Turning cell, bay 2",
        involved_employees=True,
        people_involved="Eli Employee",
        description="Swarf wrapped round a part was pulled off by hand with the door open and "
        "the spindle stopped.",
        immediate_actions="First aid (cleaned and dressed); swarf hooks put back at the machine.",
        severity=Incident.Severity.FIRST_AID,
        hazards=[hazards["HZ-001"]],
    )
    investigate_incident(
        injury,
        actor=manager,
        investigator=manager,
        root_cause="The swarf hook had gone missing from the machine.",
        findings="Swarf hooks are now tethered at each lathe; no further action needed.",
        action_needed=False,
    )
    transition_incident(injury, Incident.Status.CLOSED, actor=manager)


def load(context: dict) -> None:
    org = Organization.objects.filter(slug="acme").first()
    if org is None or Hazard.objects.filter(organization=org).exists():
        return
    people = {u.email: u for u in User.objects.filter(email__in=[MANAGER, PRODUCTION, EMPLOYEE])}
    manager, production, employee = (people.get(e) for e in (MANAGER, PRODUCTION, EMPLOYEE))
    site = Site.objects.filter(organization=org, code="PL1").first()
    if manager is None or employee is None or production is None:
        return
    hazards = _hazards(org, manager, production, site)
    if not Consultation.objects.filter(organization=org).exists():
        create_entry(
            CONSULTATIONS,
            org,
            actor=manager,
            title="Toolbox talk: handling metalworking fluid",
            held_on=timezone.localdate() - dt.timedelta(days=30),
            topic=Consultation.Topic.PPE,
            format=Consultation.Format.TOOLBOX_TALK,
            site=site,
            participants=[production, employee],
            other_participants="Agency machinist on nights",
            other_non_managerial=1,
            decisions="Trial two glove types for a month; add a barrier cream dispenser at each "
            "cell; machinists to report skin irritation at once.",
            follow_up="Collect the glove trial feedback at the next toolbox talk.",
            owner=production,
            follow_up_due=timezone.localdate() + dt.timedelta(days=30),
        )
    _incidents(org, manager, employee, site, hazards)
