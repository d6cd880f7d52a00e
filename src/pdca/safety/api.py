"""API of the safety app: the hazard scoring method, worker participation, the incident
workflow (report, investigate, move), then the registers (fixed paths come first, so they win
over the registers' `/{id}/`)."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.safety import incident_api, method_api
from pdca.safety.registers import SPECS

router = Router()
router.add_router("", method_api.router)
router.add_router("", incident_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
