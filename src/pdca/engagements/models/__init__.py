"""Links between organizations and what travels across them: engagements (a certification body
or a consultancy and its client), access grants, evidence requests, released audits and the
findings they open in the client's register, and stage 1 rehearsals."""

from pdca.engagements.models.grants import AccessGrant
from pdca.engagements.models.links import AuditRelease, Engagement, FindingLink
from pdca.engagements.models.rehearsals import PredictedFinding, Rehearsal
from pdca.engagements.models.requests import EvidenceRequest

__all__ = [
    "AccessGrant",
    "AuditRelease",
    "Engagement",
    "EvidenceRequest",
    "FindingLink",
    "PredictedFinding",
    "Rehearsal",
]
