"""Who may do what with the food safety registers.

The food safety team (system managers and consultants) keeps every register and the method;
a process owner changes the prerequisite programmes, flow diagrams and plan entries they own,
and records the verifications of their programmes and the deviations of their plan entries;
every member reads.
"""

from typing import Any

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.food.models import (
    FlowStep,
    FoodSafetyMethod,
    HazardAnalysis,
    HazardControlPlan,
    MonitoringDeviation,
    PrerequisiteProgramme,
    ProcessFlow,
    PrpVerification,
    TraceabilityExercise,
)
from pdca.system.permissions import IMPLEMENTERS

OWNED: dict[str, Any] = {
    "owner_field": "owner",
    "owner_roles": {Role.PROCESS_OWNER},
    "owner_actions": {"change"},
}
KEPT: dict[str, Any] = {"add": IMPLEMENTERS, "change": IMPLEMENTERS, "delete": IMPLEMENTERS}

register(FoodSafetyMethod, view=ORGANIZATION_ROLES, change=IMPLEMENTERS)
owned: tuple[type[Any], ...] = (PrerequisiteProgramme, ProcessFlow, HazardControlPlan)
for model in owned:
    register(model, view=ORGANIZATION_ROLES, **KEPT, **OWNED)
kept: tuple[type[Any], ...] = (FlowStep, HazardAnalysis)
for model in kept:
    register(model, view=ORGANIZATION_ROLES, **KEPT)
register(
    TraceabilityExercise,
    view=ORGANIZATION_ROLES,
    **KEPT,
    owner_field="led_by",
    owner_roles={Role.PROCESS_OWNER},
    owner_actions={"change"},
)
# Recorded through `services` (whoever may add them, or the owner of the programme or plan
# entry); never changed or deleted: they are records.
recorded: tuple[type[Any], ...] = (PrpVerification, MonitoringDeviation)
for model in recorded:
    register(model, view=ORGANIZATION_ROLES, add=IMPLEMENTERS)
