"""Who may do what with hazards, controls, consultations, incidents and the hazard scoring
method (see docs/safety.md).

Implementers (system managers, consultants) keep the registers; process owners change the
hazards, controls and consultations they own; every member reads them. Any member reports an
incident; employees then see the incidents they reported, the other roles see every one.
Implementers investigate and close incidents (an investigation may open a nonconformity,
which only those who record nonconformities may do).
"""

from typing import Any

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.safety.models import Consultation, Hazard, HazardControl, HazardMethod, Incident
from pdca.system.permissions import IMPLEMENTERS

OWNED: dict[str, Any] = {
    "owner_field": "owner",
    "owner_roles": {Role.PROCESS_OWNER},
    "owner_actions": {"change"},
}
#: Everyone but employees reads every incident; employees read those they reported.
INCIDENT_READERS = ORGANIZATION_ROLES - {Role.EMPLOYEE}

register(HazardMethod, view=ORGANIZATION_ROLES, change=IMPLEMENTERS)
for model in (Hazard, HazardControl, Consultation):
    register(
        model,
        view=ORGANIZATION_ROLES,
        add=IMPLEMENTERS,
        change=IMPLEMENTERS,
        delete=IMPLEMENTERS,
        **OWNED,
    )
register(
    Incident,
    view=INCIDENT_READERS,
    report=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    investigate=IMPLEMENTERS,
    close=IMPLEMENTERS,
    reader_fields=("reported_by",),
    reader_roles={Role.EMPLOYEE},
)
