"""Who may do what with documented information and evidence.

Every member reads published documents and the evidence of their organization; implementers
(system managers, consultants) keep the register and write versions; a document's owner (a
process owner) writes versions of their documents; approving takes an implementer or top
management, and never the version's author (a rule of the services). Everyone acknowledges
what they are asked to read.
"""

from pdca.core.permissions import register
from pdca.core.roles import CERTIFICATION_BODY_ROLES, ORGANIZATION_ROLES, Role
from pdca.documents.models import (
    Acknowledgement,
    Approval,
    Document,
    DocumentVersion,
    EvidenceFile,
    NumberingScheme,
)
from pdca.system.permissions import IMPLEMENTERS

APPROVERS = IMPLEMENTERS | {Role.TOP_MANAGEMENT}
#: Members who upload evidence: everyone who writes documents or audits, and employees, who
#: attach photos to the nonconformities they report and evidence to the actions they own.
UPLOADERS = IMPLEMENTERS | {
    Role.PROCESS_OWNER,
    Role.INTERNAL_AUDITOR,
    Role.TOP_MANAGEMENT,
    Role.EMPLOYEE,
    # A certification body's people store the evidence of its audits (issued reports, photos)
    # and its certificate template (logo, signature).
    Role.CB_MANAGER,
    Role.LEAD_AUDITOR,
    Role.AUDITOR,
    Role.TECHNICAL_EXPERT,
}
#: Who describes and deletes evidence files.
EVIDENCE_KEEPERS = IMPLEMENTERS | {Role.CB_MANAGER}

register(
    Document,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    owner_field="owner",
    owner_roles={Role.PROCESS_OWNER},
    owner_actions={"change"},
)
register(
    DocumentVersion,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    approve=APPROVERS,
    publish=APPROVERS,
)
register(Approval, view=ORGANIZATION_ROLES)
register(
    Acknowledgement,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    report=APPROVERS | {Role.INTERNAL_AUDITOR},
)
register(
    NumberingScheme,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
)
register(
    EvidenceFile,
    view=ORGANIZATION_ROLES | CERTIFICATION_BODY_ROLES,
    add=UPLOADERS,
    change=EVIDENCE_KEEPERS,
    delete=EVIDENCE_KEEPERS,
)
