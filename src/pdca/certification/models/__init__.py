from pdca.certification.models.applications import Application, AuditTimeCalculation
from pdca.certification.models.body import AccreditedScope, CertificationBodyProfile
from pdca.certification.models.certificates import Certificate, CertificateEvent
from pdca.certification.models.clients import Client, ClientSite, ConflictOfInterest
from pdca.certification.models.cycles import (
    CertificationCycle,
    CertificationDecision,
    CycleAudit,
    FindingReview,
)

__all__ = [
    "AccreditedScope",
    "Application",
    "AuditTimeCalculation",
    "Certificate",
    "CertificateEvent",
    "CertificationBodyProfile",
    "CertificationCycle",
    "CertificationDecision",
    "Client",
    "ClientSite",
    "ConflictOfInterest",
    "CycleAudit",
    "FindingReview",
]
