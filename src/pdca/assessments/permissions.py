"""Who may do what with gap assessments and their items.

Employees and everyone else in the organization read; implementers edit; a process owner
edits the items assigned to them (status, target date, notes, evidence)."""

from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.system.permissions import IMPLEMENTERS

register(
    GapAssessment,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
)
register(
    GapItem,
    view=ORGANIZATION_ROLES,
    change=IMPLEMENTERS,
    owner_field="owner",
    owner_roles={Role.PROCESS_OWNER},
    owner_actions={"change"},
)
