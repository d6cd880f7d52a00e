"""Who may do what with business continuity.

Implementers (system managers, consultants) keep the BIA method, the analyses, strategies,
plans and the exercise programme; a process owner changes the analyses, strategies, plans and
exercises they own, and the improvements assigned to them; every member of the organization
reads (top management included). Sending an improvement to corrective action (opening a
nonconformity) is the implementers' call.
"""

from typing import Any

from django.db import models

from pdca.continuity.models import (
    BiaDependency,
    BiaMethod,
    BusinessImpactAnalysis,
    ContinuityPlan,
    ContinuityStrategy,
    Exercise,
    ExerciseImprovement,
    PlanContact,
    PlanRole,
)
from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.system.permissions import IMPLEMENTERS

OWNED: dict[str, Any] = {
    "owner_field": "owner",
    "owner_roles": {Role.PROCESS_OWNER},
    "owner_actions": {"change"},
}

register(BiaMethod, view=ORGANIZATION_ROLES, change=IMPLEMENTERS)
model: type[models.Model]
for model in (BusinessImpactAnalysis, ContinuityStrategy, ContinuityPlan, Exercise):
    register(
        model,
        view=ORGANIZATION_ROLES,
        add=IMPLEMENTERS,
        change=IMPLEMENTERS,
        delete=IMPLEMENTERS,
        **OWNED,
    )
for model in (BiaDependency, PlanRole, PlanContact):
    register(
        model,
        view=ORGANIZATION_ROLES,
        add=IMPLEMENTERS,
        change=IMPLEMENTERS,
        delete=IMPLEMENTERS,
    )
register(
    ExerciseImprovement,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    raise_nonconformity=IMPLEMENTERS,
    **OWNED,
)
