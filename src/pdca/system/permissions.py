"""Who may do what with management systems, adopted standards and exclusions."""

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem

#: The people who build and run the management system.
IMPLEMENTERS = frozenset({Role.SYSTEM_MANAGER, Role.CONSULTANT})

for model in (ManagementSystem, AdoptedStandard, Exclusion):
    register(
        model, view=ORGANIZATION_ROLES, add=IMPLEMENTERS, change=IMPLEMENTERS, delete=IMPLEMENTERS
    )
