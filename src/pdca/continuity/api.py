"""API of this app's registers."""

from ninja import Router

from pdca.continuity.registers import SPECS
from pdca.core.registers.api import add_register_routes

router = Router()
for spec in SPECS:
    add_register_routes(router, spec)
