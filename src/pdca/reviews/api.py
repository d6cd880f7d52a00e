"""API of management review: the dashboard, leadership, the review steps beyond the
registers, then the registers (the fixed paths first)."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.reviews import steps_api
from pdca.reviews.dashboard import api as dashboard_api
from pdca.reviews.leadership import api as leadership_api
from pdca.reviews.registers import SPECS

router = Router()
router.add_router("/", dashboard_api.router)
router.add_router("/", leadership_api.router)
router.add_router("/", steps_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
