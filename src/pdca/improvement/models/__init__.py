"""Models of the improvement app: nonconformities from any source, their corrective actions
and effectiveness checks, the deadlines that apply, and improvement opportunities."""

from pdca.improvement.models.actions import CorrectiveAction, EffectivenessCheck
from pdca.improvement.models.nonconformity import Nonconformity
from pdca.improvement.models.opportunity import ImprovementOpportunity
from pdca.improvement.models.policy import CapaPolicy, CertificationTerms

__all__ = [
    "CapaPolicy",
    "CertificationTerms",
    "CorrectiveAction",
    "EffectivenessCheck",
    "ImprovementOpportunity",
    "Nonconformity",
]
