"""Making the standard cast of every permission test (`pdca.core.testing.personas`)."""

from __future__ import annotations

from pdca.accounts.models import User
from pdca.core.roles import CERTIFICATION_BODY_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing.personas import PASSWORD, Personas
from pdca.tenancy.models import Membership, Organization


def _user(email: str, name: str) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name)


def make_personas() -> Personas:
    org = Organization.objects.create(name="Org A", slug="org-a")
    cb = Organization.objects.create(
        name="CB", slug="cb", kind=Organization.Kind.CERTIFICATION_BODY
    )
    other = Organization.objects.create(name="Org B", slug="org-b")
    personas = Personas(org=org, cb=cb, other=other)
    for role in sorted(ORGANIZATION_ROLES):
        user = _user(f"{role}@a.example", f"{role.replace('_', ' ').title()} A")
        Membership.objects.create(organization=org, user=user, role=role)
        personas.users[role] = user
    for role in sorted(CERTIFICATION_BODY_ROLES - {Role.ADMIN}):
        user = _user(f"{role}@cb.example", f"{role.replace('_', ' ').title()} CB")
        Membership.objects.create(organization=cb, user=user, role=role)
        personas.users[role] = user
    cb_admin = _user("admin@cb.example", "Admin CB")
    Membership.objects.create(organization=cb, user=cb_admin, role=Role.ADMIN)
    outsider = _user("manager@b.example", "Outsider B")
    Membership.objects.create(organization=other, user=outsider, role=Role.SYSTEM_MANAGER)
    personas.outsider = outsider
    return personas
