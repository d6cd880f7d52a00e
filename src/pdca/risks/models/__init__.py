"""Models of the risks app: the organization's risk method, risks and opportunities (with
their variants: environmental aspects, OH&S hazards, information security risks), the
Statement of Applicability and the AI system inventory with its impact assessments."""

from pdca.risks.models.ai import AISystem, ImpactAssessment
from pdca.risks.models.method import RiskMethod
from pdca.risks.models.risk import Risk, TreatmentAction
from pdca.risks.models.soa import ControlApplicability, SoaVersion, StatementOfApplicability

__all__ = [
    "AISystem",
    "ControlApplicability",
    "ImpactAssessment",
    "Risk",
    "RiskMethod",
    "SoaVersion",
    "StatementOfApplicability",
    "TreatmentAction",
]
