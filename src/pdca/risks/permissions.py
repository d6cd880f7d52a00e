"""Who may do what with risks, the SoA and AI registers.

Implementers (system managers, consultants) keep everything; process owners change the rows
they own; every member reads. Top management approves the Statement of Applicability.
"""

from typing import Any

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.risks.models import (
    AISystem,
    ControlApplicability,
    ImpactAssessment,
    Risk,
    RiskMethod,
    SoaVersion,
    StatementOfApplicability,
    TreatmentAction,
)
from pdca.system.permissions import IMPLEMENTERS

OWNED: dict[str, Any] = {
    "owner_field": "owner",
    "owner_roles": {Role.PROCESS_OWNER},
    "owner_actions": {"change"},
}

register(RiskMethod, view=ORGANIZATION_ROLES, change=IMPLEMENTERS)
for model in (Risk, AISystem):
    register(
        model,
        view=ORGANIZATION_ROLES,
        add=IMPLEMENTERS,
        change=IMPLEMENTERS,
        delete=IMPLEMENTERS,
        **OWNED,
    )
register(
    ImpactAssessment,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    owner_field="assessor",
    owner_roles={Role.PROCESS_OWNER},
    owner_actions={"change"},
)
register(
    TreatmentAction,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    **OWNED,
)
register(
    StatementOfApplicability,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    approve=IMPLEMENTERS | {Role.TOP_MANAGEMENT},
)
register(
    ControlApplicability,
    view=ORGANIZATION_ROLES,
    change=IMPLEMENTERS,
    **OWNED,
)
register(SoaVersion, view=ORGANIZATION_ROLES)
