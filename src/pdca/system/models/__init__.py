"""Models of the system app: the management system itself and the implementer's registers
(context, interested parties, processes, responsibilities, objectives)."""

from pdca.system.models.context import ContextIssue, InterestedParty
from pdca.system.models.management import (
    AdoptedStandard,
    Exclusion,
    ManagementSystem,
    SystemTransition,
)
from pdca.system.models.objectives import Measurement, Objective
from pdca.system.models.processes import Process, RaciAssignment, Responsibility

__all__ = [
    "AdoptedStandard",
    "ContextIssue",
    "Exclusion",
    "InterestedParty",
    "ManagementSystem",
    "Measurement",
    "Objective",
    "Process",
    "RaciAssignment",
    "Responsibility",
    "SystemTransition",
]
