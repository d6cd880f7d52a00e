"""The demo organizations' management systems (idempotent): Acme runs ISO 9001, ISO 14001,
ISO 45001, ISO/IEC 27001 and ISO/IEC 42001 as one integrated system, with one exclusion;
Fenwick Foods, a bakery, runs ISO 22000 and ISO 22301."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.accounts.models import User
from pdca.standards.models import Requirement, Standard
from pdca.standards.services import ensure_catalogs_loaded
from pdca.system import services
from pdca.system.models import Exclusion, ManagementSystem
from pdca.tenancy.models import Organization, Site

ORGANIZATION = "acme"
NAME = "Acme integrated management system"
MANAGER = "quality@acme.example"
STANDARDS = [
    "iso9001-2015",
    "iso14001-2015",
    "iso45001-2018",
    "iso27001-2022",
    "iso42001-2023",
]

SCOPE = (
    "Precision machining of metal components to customer drawings for aerospace and medical "
    "customers: quoting, planning, CNC machining, inspection and dispatch at the Wakefield "
    "plant, and sales, engineering support, purchasing and IT at the Leeds head office. The "
    "information security and AI management systems cover the customer drawings and "
    "production data Acme holds, and the AI-assisted visual inspection used on the plant's "
    "final inspection line. The environmental and OH&S management systems cover both sites' "
    "activities, including contractors working on site."
)
BOUNDARIES = (
    "In: both sites, the ERP and CAD/CAM systems, the inspection cameras and their models. "
    "Out: the group's payroll service (run by the parent company, managed as an external "
    "provider) and the customers' own design work."
)
#: Why 9001 8.3 does not apply, in our words.
DESIGN_EXCLUSION = (
    "Acme makes parts only to drawings and specifications that its customers supply and own; "
    "it does not design or develop products or services for them. Preparing CNC programs, "
    "fixtures and inspection plans for a given drawing is production planning, controlled "
    "under 8.1 and 8.5.1, so clause 8.3 has nothing to apply to."
)


def target_date(today: dt.date) -> dt.date:
    """The certification target: the end of the month about nine months from now."""
    month = today.month - 1 + 9
    first_of_next = dt.date(today.year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


FOOD_ORGANIZATION = "fenwick"
FOOD_NAME = "Fenwick food safety and continuity system"
FOOD_MANAGER = "foodsafety@fenwick.example"
FOOD_STANDARDS = ["iso22000-2018", "iso22301-2019"]
FOOD_SCOPE = (
    "Production of sliced bread and bread rolls at the York bakery, from flour intake to "
    "dispatch, and their storage and delivery to retailers from the Leeds distribution centre. "
    "Business continuity covers bread production, order taking and dispatch, and payroll."
)


def _load_food_producer() -> None:
    org = Organization.objects.filter(slug=FOOD_ORGANIZATION).first()
    manager = User.objects.filter(email=FOOD_MANAGER).first()
    if org is None or manager is None:
        return
    if ManagementSystem.objects.filter(organization=org, name=FOOD_NAME).exists():
        return
    services.create_system(
        org,
        name=FOOD_NAME,
        standards=list(Standard.objects.filter(code__in=FOOD_STANDARDS).order_by("name")),
        sites=list(Site.objects.filter(organization=org).order_by("name")),
        owner=manager,
        scope_statement=FOOD_SCOPE,
        status=ManagementSystem.Status.OPERATING,
        actor=manager,
    )


def load(context: dict) -> None:
    ensure_catalogs_loaded()
    _load_food_producer()
    org = Organization.objects.filter(slug=ORGANIZATION).first()
    manager = User.objects.filter(email=MANAGER).first()
    if org is None or manager is None:
        return
    system = ManagementSystem.objects.filter(organization=org, name=NAME).first()
    if system is None:
        system = services.create_system(
            org,
            name=NAME,
            standards=list(Standard.objects.filter(code__in=STANDARDS).order_by("name")),
            sites=list(Site.objects.filter(organization=org).order_by("name")),
            owner=manager,
            scope_statement=SCOPE,
            boundaries=BOUNDARIES,
            status=ManagementSystem.Status.IMPLEMENTING,
            certification_target_date=target_date(timezone.localdate()),
            actor=manager,
        )
    design = Requirement.objects.get(standard__code="iso9001-2015", number="8.3")
    if not Exclusion.objects.filter(system=system, requirement=design).exists():
        services.add_exclusion(system, design, justification=DESIGN_EXCLUSION, actor=manager)
    context["system"] = system
    from pdca.system.demo import objectives as demo_objectives
    from pdca.system.demo import processes as demo_processes
    from pdca.system.demo import registers as demo_registers

    demo_registers.load(org, manager)
    context["organization"] = org
    demo_processes.load_raci(context)
    demo_objectives.load_measurements(context)
