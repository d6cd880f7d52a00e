"""Who may do what in a certification body (see docs/permissions.md).

The certification body's manager runs the business: profile and accreditation, clients,
applications and their review, programmes, certificates. Auditors and lead auditors read
clients and programmes and review clients' answers to findings; the decision maker decides.
Every member of the body reads what it certifies; nobody outside it sees any of it (the
public verification page shows a certificate's public facts only, and needs no permission).
"""

from pdca.certification.models import (
    AccreditedScope,
    Application,
    AuditTimeCalculation,
    Certificate,
    CertificateEvent,
    CertificationBodyProfile,
    CertificationCycle,
    CertificationDecision,
    Client,
    ClientSite,
    ConflictOfInterest,
    CycleAudit,
    FindingReview,
)
from pdca.core.permissions import register
from pdca.core.roles import CERTIFICATION_BODY_ROLES, Role

# The administrator role exists in every kind of organization (users, settings), so it is left
# out here: an implementing organization's administrator must not find a certification body's
# pages working in their organization. A body's administrator who runs its business also holds
# no other role, so the body gives them the manager's role for that.
#: Who runs the certification body's business.
MANAGERS = frozenset({Role.CB_MANAGER})
#: Everyone in the body (auditors, experts, decision makers) reads its records.
MEMBERS = CERTIFICATION_BODY_ROLES - {Role.ADMIN}
#: Who reviews clients' answers to findings and verifies their actions.
REVIEWERS = MANAGERS | {Role.LEAD_AUDITOR, Role.AUDITOR}
#: Who takes certification decisions.
DECIDERS = frozenset({Role.CERTIFICATION_DECISION_MAKER})

for model in (
    CertificationBodyProfile,
    AccreditedScope,
    Client,
    ClientSite,
    Application,
    AuditTimeCalculation,
    CertificationCycle,
    CycleAudit,
    Certificate,
    CertificateEvent,
):
    register(model, view=MEMBERS, add=MANAGERS, change=MANAGERS, delete=MANAGERS)

# Everyone in the body declares their own ties to clients; the manager keeps the register.
register(ConflictOfInterest, view=MEMBERS, add=MEMBERS, change=MANAGERS, delete=MANAGERS)
register(FindingReview, view=MEMBERS, add=REVIEWERS, change=REVIEWERS, delete=MANAGERS)
register(
    CertificationDecision,
    view=MEMBERS,
    add=DECIDERS,
    change=frozenset(),
    delete=frozenset(),
    decide=DECIDERS,
)
