"""Who may do what with the management system and the implementer's registers.

System managers and consultants keep everything; a process owner changes the rows they own
(their processes, objectives, issues); every member reads; top management also sets
objectives.
"""

from typing import Any

from django.db import models

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.system.models import (
    AdoptedStandard,
    ContextIssue,
    Exclusion,
    InterestedParty,
    ManagementSystem,
    Measurement,
    Objective,
    Process,
    RaciAssignment,
    Responsibility,
)

#: The people who build and run the management system.
IMPLEMENTERS = frozenset({Role.SYSTEM_MANAGER, Role.CONSULTANT})
#: Objectives are set by top management as well (5.1, 6.2).
OBJECTIVE_SETTERS = IMPLEMENTERS | {Role.TOP_MANAGEMENT}

OWNED: dict[str, Any] = {
    "owner_field": "owner",
    "owner_roles": {Role.PROCESS_OWNER},
    "owner_actions": {"change"},
}

model: type[models.Model]
for model in (ManagementSystem, AdoptedStandard, Exclusion):
    register(
        model, view=ORGANIZATION_ROLES, add=IMPLEMENTERS, change=IMPLEMENTERS, delete=IMPLEMENTERS
    )
for model in (ContextIssue, InterestedParty, Process):
    register(
        model,
        view=ORGANIZATION_ROLES,
        add=IMPLEMENTERS,
        change=IMPLEMENTERS,
        delete=IMPLEMENTERS,
        **OWNED,
    )
for model in (Responsibility, RaciAssignment):
    register(
        model, view=ORGANIZATION_ROLES, add=IMPLEMENTERS, change=IMPLEMENTERS, delete=IMPLEMENTERS
    )
register(
    Objective,
    view=ORGANIZATION_ROLES,
    add=OBJECTIVE_SETTERS,
    change=OBJECTIVE_SETTERS,
    delete=OBJECTIVE_SETTERS,
    **OWNED,
)
# A measurement is recorded by whoever may change its objective, its owner included.
register(
    Measurement,
    view=ORGANIZATION_ROLES,
    add=OBJECTIVE_SETTERS,
    change=OBJECTIVE_SETTERS,
    delete=OBJECTIVE_SETTERS,
)
