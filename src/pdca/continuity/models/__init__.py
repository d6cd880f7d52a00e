"""Business impact analysis, continuity plans and exercises (ISO 22301): the tables."""

from pdca.continuity.models.bia import BiaDependency, BusinessImpactAnalysis
from pdca.continuity.models.exercises import Exercise, ExerciseImprovement
from pdca.continuity.models.method import BiaMethod
from pdca.continuity.models.plans import ContinuityPlan, ContinuityStrategy, PlanContact, PlanRole

__all__ = [
    "BiaDependency",
    "BiaMethod",
    "BusinessImpactAnalysis",
    "ContinuityPlan",
    "ContinuityStrategy",
    "Exercise",
    "ExerciseImprovement",
    "PlanContact",
    "PlanRole",
]
