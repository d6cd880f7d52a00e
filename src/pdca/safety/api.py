"""API of this app's registers."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.safety.registers import SPECS

router = Router()
for spec in SPECS:
    add_register_routes(router, spec)
