"""Who may do what with environmental aspects, compliance obligations, their evaluations and
the significance method.

Implementers (system managers, consultants) keep the registers and the method; a process owner
changes the aspects and obligations they own, and drafts and records the evaluations they are
named evaluator of; every member of the organization reads them all.
"""

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.environment.models import (
    Aspect,
    ComplianceEvaluation,
    ComplianceObligation,
    SignificanceMethod,
)
from pdca.system.permissions import IMPLEMENTERS

register(SignificanceMethod, view=ORGANIZATION_ROLES, change=IMPLEMENTERS)
for model in (Aspect, ComplianceObligation):
    register(
        model,
        view=ORGANIZATION_ROLES,
        add=IMPLEMENTERS,
        change=IMPLEMENTERS,
        delete=IMPLEMENTERS,
        owner_field="owner",
        owner_roles={Role.PROCESS_OWNER},
        owner_actions={"change"},
    )
register(
    ComplianceEvaluation,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    record=IMPLEMENTERS,
    owner_field="evaluator",
    owner_roles={Role.PROCESS_OWNER},
    owner_actions={"change", "record"},
)
