"""Demo organizations with one person per role, for `make demo` and screenshots."""

from __future__ import annotations

from typing import Any

from pdca.accounts.models import User
from pdca.accounts.services import create_user
from pdca.core.roles import Role
from pdca.tenancy import services
from pdca.tenancy.models import Organization

DEMO_PASSWORD = "pdca-demo-2026!"

ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "slug": "acme",
        "name": "Acme Precision Ltd",
        "kind": Organization.Kind.ORGANIZATION,
        "country": "GB",
        "description": "Precision machining for aerospace and medical customers; "
        "working towards ISO 9001, 14001, 45001 and 27001 as one integrated system.",
        "sites": [
            {
                "name": "Head office",
                "code": "HQ",
                "city": "Leeds",
                "country": "GB",
                "headcount": 45,
                "is_headquarters": True,
            },
            {
                "name": "Machining plant",
                "code": "PL1",
                "city": "Wakefield",
                "country": "GB",
                "headcount": 130,
            },
        ],
        "members": [
            ("admin@acme.example", "Alex Admin", Role.ADMIN, "IT administrator"),
            ("ceo@acme.example", "Charlotte Reyes", Role.TOP_MANAGEMENT, "Managing director"),
            ("quality@acme.example", "Sam Quality", Role.SYSTEM_MANAGER, "QHSE manager"),
            (
                "consultant@brightpath.example",
                "Priya Consultant",
                Role.CONSULTANT,
                "ISO consultant",
            ),
            (
                "production@acme.example",
                "Omar Production",
                Role.PROCESS_OWNER,
                "Production manager",
            ),
            ("auditor@acme.example", "Ines Auditor", Role.INTERNAL_AUDITOR, "Internal auditor"),
            ("employee@acme.example", "Eli Employee", Role.EMPLOYEE, "Machinist"),
        ],
    },
    {
        "slug": "northbridge",
        "name": "Northbridge Certification",
        "kind": Organization.Kind.CERTIFICATION_BODY,
        "country": "GB",
        "description": "Accredited certification body for quality, environment, OH&S and "
        "information security management systems.",
        "sites": [
            {
                "name": "Office",
                "code": "NB",
                "city": "Manchester",
                "country": "GB",
                "headcount": 25,
                "is_headquarters": True,
            }
        ],
        "members": [
            ("admin@northbridge.example", "Nora Admin", Role.ADMIN, "Office manager"),
            ("manager@northbridge.example", "Ben Scheme", Role.CB_MANAGER, "Scheme manager"),
            ("lead@northbridge.example", "Lena Lead", Role.LEAD_AUDITOR, "Lead auditor"),
            ("auditor@northbridge.example", "Arun Auditor", Role.AUDITOR, "Auditor"),
            ("expert@northbridge.example", "Tom Expert", Role.TECHNICAL_EXPERT, "Machining expert"),
            (
                "decision@northbridge.example",
                "Dana Decider",
                Role.CERTIFICATION_DECISION_MAKER,
                "Certification decision maker",
            ),
        ],
    },
    {
        "slug": "fenwick",
        "name": "Fenwick Foods Ltd",
        "kind": Organization.Kind.ORGANIZATION,
        "country": "GB",
        "description": "Craft bakery supplying sliced bread and rolls to regional retailers; "
        "runs ISO 22000 (food safety) and ISO 22301 (business continuity) as one system.",
        "sites": [
            {
                "name": "Bakery",
                "code": "BK1",
                "city": "York",
                "country": "GB",
                "headcount": 85,
                "is_headquarters": True,
            },
            {
                "name": "Distribution centre",
                "code": "DC1",
                "city": "Leeds",
                "country": "GB",
                "headcount": 20,
            },
        ],
        "members": [
            ("admin@fenwick.example", "Fay Admin", Role.ADMIN, "Office manager"),
            ("ceo@fenwick.example", "Grace Fenwick", Role.TOP_MANAGEMENT, "Managing director"),
            (
                "foodsafety@fenwick.example",
                "Hugo Baker",
                Role.SYSTEM_MANAGER,
                "Food safety team leader",
            ),
            ("production@fenwick.example", "Mina Line", Role.PROCESS_OWNER, "Production manager"),
            ("employee@fenwick.example", "Ravi Packer", Role.EMPLOYEE, "Line operator"),
        ],
    },
    {
        "slug": "brightpath",
        "name": "Bright Path Consulting",
        "kind": Organization.Kind.CONSULTANCY,
        "country": "GB",
        "description": "ISO implementation consultancy.",
        "sites": [],
        "members": [
            ("consultant@brightpath.example", "Priya Consultant", Role.ADMIN, "Principal"),
        ],
    },
]


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    return user or create_user(email=email, full_name=name, password=DEMO_PASSWORD, actor=None)


def load(context: dict) -> None:
    """Create the demo organizations unless they exist; record who can sign in."""
    platform_admin = User.objects.filter(email="platform@pdca.example").first() or create_user(
        email="platform@pdca.example",
        full_name="Platform Admin",
        password=DEMO_PASSWORD,
        is_superuser=True,
        actor=None,
    )
    logins = context.setdefault("logins", [])
    logins.append(("platform@pdca.example", "platform administrator", "—"))
    for spec in ORGANIZATIONS:
        org = Organization.objects.filter(slug=spec["slug"]).first()
        if org is None:
            first = spec["members"][0]
            admin = _user(first[0], first[1])
            org = services.create_organization(
                name=spec["name"],
                kind=spec["kind"],
                slug=spec["slug"],
                first_admin=admin,
                actor=platform_admin,
                country=spec["country"],
                description=spec["description"],
            )
            for site in spec["sites"]:
                services.create_site(org, actor=admin, **site)
            # The platform administrator seeds the demo's people directly; on a real install
            # an organization's managers invite them (tenancy.invitations).
            for email, name, role, title in spec["members"][1:]:
                user = _user(email, name)
                services.grant_membership(org, user, role, job_title=title, actor=platform_admin)
        context.setdefault("organizations", []).append(org)
        for email, _name, role, _title in spec["members"]:
            logins.append((email, Role(role).label, org.name))
