"""The standard cast of every permission test (made by `pdca.tenancy.testing.make_personas`).

- `org`: an implementing organization with one member per organization role;
- `cb`: a certification body with one member per certification-body role;
- `other`: another organization, whose system manager (`outsider`) must see nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pdca.core.roles import ORGANIZATION_ROLES, Role

# Core cannot name the user and organization models (they live in higher apps); the personas
# are made by `pdca.tenancy.testing.make_personas`.
User = Any
Organization = Any

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
