"""API of the implementer's registers kept in the system app."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.system.objectives import api as objective_api
from pdca.system.raci import api as raci_api
from pdca.system.registers import SPECS

router = Router()
router.add_router("/", raci_api.router)
router.add_router("/", objective_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
