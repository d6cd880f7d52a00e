"""API of this app: the BIA method, the steps beyond the registers, then the registers (the
fixed paths first, so that `/exercises/programme/` is not read as an exercise id)."""

from ninja import Router

from pdca.continuity import steps_api
from pdca.continuity.method import api as method_api
from pdca.continuity.registers import SPECS
from pdca.core.registers.api import add_register_routes

router = Router()
router.add_router("/", method_api.router)
router.add_router("/", steps_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
