"""Membership roles: who does what in an organization (see docs/permissions.md)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    TOP_MANAGEMENT = "top_management", "Top management"
    SYSTEM_MANAGER = "system_manager", "System manager"
    CONSULTANT = "consultant", "Consultant"
    PROCESS_OWNER = "process_owner", "Process owner"
    INTERNAL_AUDITOR = "internal_auditor", "Internal auditor"
    EMPLOYEE = "employee", "Employee"
    CB_MANAGER = "cb_manager", "Certification body manager"
    LEAD_AUDITOR = "lead_auditor", "Lead auditor"
    AUDITOR = "auditor", "Auditor"
    TECHNICAL_EXPERT = "technical_expert", "Technical expert"
    CERTIFICATION_DECISION_MAKER = "certification_decision_maker", "Certification decision maker"


ALL_ROLES: frozenset[str] = frozenset(Role.values)

#: Roles of an organization that implements a management system (and of a consultancy).
ORGANIZATION_ROLES: frozenset[str] = frozenset(
    {
        Role.ADMIN,
        Role.TOP_MANAGEMENT,
        Role.SYSTEM_MANAGER,
        Role.CONSULTANT,
        Role.PROCESS_OWNER,
        Role.INTERNAL_AUDITOR,
        Role.EMPLOYEE,
    }
)

#: Roles of a certification body.
CERTIFICATION_BODY_ROLES: frozenset[str] = frozenset(
    {
        Role.ADMIN,
        Role.CB_MANAGER,
        Role.LEAD_AUDITOR,
        Role.AUDITOR,
        Role.TECHNICAL_EXPERT,
        Role.CERTIFICATION_DECISION_MAKER,
    }
)

#: Roles that run an organization's set-up: sites, members, settings.
MANAGERS: frozenset[str] = frozenset(
    {Role.ADMIN, Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.CB_MANAGER}
)

#: Roles that may read the organization's activity log as a whole.
OVERSEERS: frozenset[str] = MANAGERS | {
    Role.TOP_MANAGEMENT,
    Role.INTERNAL_AUDITOR,
    Role.LEAD_AUDITOR,
    Role.CERTIFICATION_DECISION_MAKER,
}
