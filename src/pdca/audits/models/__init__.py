"""Models of the audits app (ISO 19011): programmes, audits with their team, plan and meetings,
checklists and the evidence behind each answer, findings, and issued reports."""

from pdca.audits.models.audit import Audit, AuditMeeting, AuditPlanItem, AuditTeamMember
from pdca.audits.models.fieldwork import ChecklistItem, EvidenceRecord, SavedChecklist
from pdca.audits.models.findings import AuditReport, Finding
from pdca.audits.models.programme import AuditProgramme

__all__ = [
    "Audit",
    "AuditMeeting",
    "AuditPlanItem",
    "AuditProgramme",
    "AuditReport",
    "AuditTeamMember",
    "ChecklistItem",
    "EvidenceRecord",
    "Finding",
    "SavedChecklist",
]
