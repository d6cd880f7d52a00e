"""Who may do what with risks, the SoA and AI registers.

Implementers (system managers, consultants) keep everything; process owners change the rows
they own; every member reads. A certification body keeps a risk register too (its impartiality
risks), kept by its manager and read by all its people. Top management approves the Statement
of Applicability.
"""

from typing import Any

from pdca.core.permissions import register
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
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

#: Who keeps the risk register: an organization's implementers, and a certification body's
#: manager, whose register holds the threats to its impartiality (17021-1 5.2: self-interest,
#: self-review, familiarity, intimidation).
RISK_KEEPERS = IMPLEMENTERS | {Role.CB_MANAGER}

register(RiskMethod, view=ALL_ROLES, change=RISK_KEEPERS)
for model in (Risk, TreatmentAction):
    register(
        model,
        view=ALL_ROLES,
        add=RISK_KEEPERS,
        change=RISK_KEEPERS,
        delete=RISK_KEEPERS,
        **OWNED,
    )
register(
    AISystem,
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
