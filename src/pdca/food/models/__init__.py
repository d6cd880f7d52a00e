"""Food safety hazard control (ISO 22000): the tables."""

from pdca.food.models.flows import FlowStep, ProcessFlow
from pdca.food.models.hazards import HazardAnalysis
from pdca.food.models.method import FoodSafetyMethod
from pdca.food.models.plans import HazardControlPlan, MonitoringDeviation
from pdca.food.models.prp import PrerequisiteProgramme, PrpVerification
from pdca.food.models.traceability import TraceabilityExercise

__all__ = [
    "FlowStep",
    "FoodSafetyMethod",
    "HazardAnalysis",
    "HazardControlPlan",
    "MonitoringDeviation",
    "PrerequisiteProgramme",
    "ProcessFlow",
    "PrpVerification",
    "TraceabilityExercise",
]
