"""Who may do what with organizations, sites, members and the activity log."""

from pdca.core.models import ActivityEntry, RetentionPeriod
from pdca.core.permissions import register
from pdca.core.roles import ALL_ROLES, MANAGERS, OVERSEERS, Role
from pdca.tenancy.models import Invitation, Membership, Organization, Site

register(
    Organization,
    view=ALL_ROLES,
    change={Role.ADMIN, Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.CB_MANAGER},
)
register(Site, view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS)
register(Membership, view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS)
# Pending invitations name people who are not members yet: only those who invite see them.
register(Invitation, view=MANAGERS, add=MANAGERS, change=MANAGERS)
register(ActivityEntry, view=OVERSEERS)
# How long archived records are kept is a records-management decision of those who run the system.
register(RetentionPeriod, view=OVERSEERS, change=MANAGERS)
