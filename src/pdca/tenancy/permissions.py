"""Who may do what with organizations, sites, members and the activity log."""

from pdca.core.models import ActivityEntry
from pdca.core.permissions import register
from pdca.core.roles import ALL_ROLES, MANAGERS, OVERSEERS, Role
from pdca.tenancy.models import Membership, Organization, Site

register(
    Organization,
    view=ALL_ROLES,
    change={Role.ADMIN, Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.CB_MANAGER},
)
register(Site, view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS)
register(Membership, view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS)
register(ActivityEntry, view=OVERSEERS)
