"""Who may do what with nonconformities: every member sees them; implementers and internal
auditors record them; a process owner changes the ones they own."""

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.improvement.models import Nonconformity
from pdca.system.permissions import IMPLEMENTERS

register(
    Nonconformity,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS | {Role.INTERNAL_AUDITOR},
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    owner_field="owner",
    owner_roles={Role.PROCESS_OWNER},
    owner_actions={"change"},
)
