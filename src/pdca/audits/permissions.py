"""Who may do what with audits.

Every member sees the audit programme, the audits, their plans and issued reports; the
fieldwork (checklists, evidence, findings) is the auditors' working paper until the report is
issued, so only auditors, implementers and top management read it. Internal auditors and
implementers plan and conduct audits; the independence rules (nobody audits their own work)
are in the services.
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
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.system.permissions import IMPLEMENTERS

AUDITORS = IMPLEMENTERS | {Role.INTERNAL_AUDITOR}
#: Who reads the working papers before the report is issued.
INSIDERS = AUDITORS | {Role.TOP_MANAGEMENT}

register(
    AuditProgramme,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
)
register(
    Audit,
    view=ORGANIZATION_ROLES,
    add=AUDITORS,
    change=AUDITORS,
    delete=IMPLEMENTERS,
    issue=AUDITORS,
)
model: type[models.Model]
for model in (AuditTeamMember, AuditPlanItem, AuditMeeting):
    register(model, view=ORGANIZATION_ROLES, add=AUDITORS, change=AUDITORS, delete=AUDITORS)
for model in (ChecklistItem, EvidenceRecord, Finding, SavedChecklist):
    register(model, view=INSIDERS, add=AUDITORS, change=AUDITORS, delete=AUDITORS)
register(AuditReport, view=ORGANIZATION_ROLES)
