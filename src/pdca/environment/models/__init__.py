"""Environmental aspects and compliance obligations (ISO 14001): the tables."""

from pdca.environment.models.aspects import Aspect
from pdca.environment.models.method import SignificanceMethod
from pdca.environment.models.obligations import ComplianceEvaluation, ComplianceObligation

__all__ = ["Aspect", "ComplianceEvaluation", "ComplianceObligation", "SignificanceMethod"]
