"""OH&S hazards, worker participation and incidents (ISO 45001): the tables."""

from pdca.safety.models.consultation import Consultation
from pdca.safety.models.hazards import Hazard, HazardControl
from pdca.safety.models.incidents import Incident
from pdca.safety.models.method import HazardMethod

__all__ = ["Consultation", "Hazard", "HazardControl", "HazardMethod", "Incident"]
