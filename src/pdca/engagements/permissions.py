"""Who may do what across an engagement (see docs/engagements.md).

Each model belongs to one side and its rules name that side's roles: the provider (a
certification body or a consultancy) owns engagements, audit releases and evidence requests;
the client owns access grants, finding links and rehearsals. What the other side may do is
decided by `pdca.engagements.access` from the engagement itself (active, and a grant open for
the item), never by a membership in the other organization.
"""

from pdca.certification.permissions import MEMBERS as CB_MEMBERS
from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.engagements.models import (
    AccessGrant,
    AuditRelease,
    Engagement,
    EvidenceRequest,
    FindingLink,
    PredictedFinding,
    Rehearsal,
)
from pdca.system.permissions import IMPLEMENTERS

#: Who links the organization to another one, and ends the link: its managers.
LINKERS = frozenset(
    {Role.ADMIN, Role.TOP_MANAGEMENT, Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.CB_MANAGER}
)
#: Who reads the organization's engagements: every member but employees.
READERS = (ORGANIZATION_ROLES - {Role.EMPLOYEE}) | CB_MEMBERS
#: Who in a certification body releases audits and asks for evidence.
AUDITORS = frozenset({Role.CB_MANAGER, Role.LEAD_AUDITOR, Role.AUDITOR})
#: Who in a client decides what the other side may read, and answers it.
GRANTORS = IMPLEMENTERS | {Role.ADMIN, Role.TOP_MANAGEMENT}
#: Who in a client reads what travels across its engagements.
CLIENT_READERS = ORGANIZATION_ROLES - {Role.EMPLOYEE}
#: Who runs a rehearsal of their own system.
REHEARSERS = IMPLEMENTERS | {Role.TOP_MANAGEMENT}

register(Engagement, view=READERS, add=LINKERS, change=LINKERS)
register(AuditRelease, view=CB_MEMBERS, add=AUDITORS)
register(EvidenceRequest, view=CB_MEMBERS, add=AUDITORS, change=AUDITORS)
register(AccessGrant, view=CLIENT_READERS, add=GRANTORS, change=GRANTORS)
register(FindingLink, view=CLIENT_READERS, change=GRANTORS | {Role.PROCESS_OWNER})
register(Rehearsal, view=CLIENT_READERS, add=REHEARSERS)
register(PredictedFinding, view=CLIENT_READERS)
