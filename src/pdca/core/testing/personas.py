"""The standard cast of every permission test.

- `org`: an implementing organization with one member per organization role;
- `cb`: a certification body with one member per certification-body role;
- `other`: another organization, whose system manager (`outsider`) must see nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pdca.accounts.models import User
from pdca.core.roles import CERTIFICATION_BODY_ROLES, ORGANIZATION_ROLES, Role
from pdca.tenancy.models import Membership, Organization

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Personas:
    org: Organization
    cb: Organization
    other: Organization
    users: dict[str, User] = field(default_factory=dict)
    outsider: User | None = None

    def org_for(self, role: str) -> Organization:
        """The organization where the persona holding `role` works."""
        return self.org if role in ORGANIZATION_ROLES else self.cb

    @property
    def manager(self) -> User:
        return self.users[Role.SYSTEM_MANAGER]

    @property
    def employee(self) -> User:
        return self.users[Role.EMPLOYEE]


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
