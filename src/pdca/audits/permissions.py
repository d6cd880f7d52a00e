"""Who may do what with audits.

Every member sees the audit programme, the audits, their plans and issued reports; the
fieldwork (checklists, evidence, findings) is the auditors' working paper until the report is
issued, so only auditors, implementers and top management read it. Internal auditors and
implementers plan and conduct audits; in a certification body its manager, lead auditors and
auditors conduct its certification audits. The independence rules (nobody audits their own
work; nobody audits a client they have ties with) are in the services.
"""

from django.db import models

from pdca.audits.models import (
    Audit,
    AuditMeeting,
    AuditPlanItem,
    AuditProgramme,
    AuditReport,
    AuditTeamMember,
    ChecklistItem,
    EvidenceRecord,
    Finding,
    SavedChecklist,
)
from pdca.core.permissions import register
from pdca.core.roles import ALL_ROLES, Role
from pdca.system.permissions import IMPLEMENTERS

#: Who keeps audit programmes and may delete an audit: an organization's implementers, and a
#: certification body's manager (its programmes are its clients' certification cycles).
KEEPERS = IMPLEMENTERS | {Role.CB_MANAGER}
#: Who plans and conducts audits: internal auditors and implementers of an organization; the
#: manager, lead auditors and auditors of a certification body (its certification audits).
AUDITORS = KEEPERS | {Role.INTERNAL_AUDITOR, Role.LEAD_AUDITOR, Role.AUDITOR}
#: Who reads the working papers before the report is issued (a certification body's technical
#: experts and decision makers too: the decision rests on them).
INSIDERS = AUDITORS | {
    Role.TOP_MANAGEMENT,
    Role.TECHNICAL_EXPERT,
    Role.CERTIFICATION_DECISION_MAKER,
}

register(AuditProgramme, view=ALL_ROLES, add=KEEPERS, change=KEEPERS, delete=KEEPERS)
register(Audit, view=ALL_ROLES, add=AUDITORS, change=AUDITORS, delete=KEEPERS, issue=AUDITORS)
model: type[models.Model]
for model in (AuditTeamMember, AuditPlanItem, AuditMeeting):
    register(model, view=ALL_ROLES, add=AUDITORS, change=AUDITORS, delete=AUDITORS)
for model in (ChecklistItem, EvidenceRecord, Finding, SavedChecklist):
    register(model, view=INSIDERS, add=AUDITORS, change=AUDITORS, delete=AUDITORS)
register(AuditReport, view=ALL_ROLES)
