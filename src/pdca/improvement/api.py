"""API of the improvement app: the registers, the corrective-action workflow, opportunities
and analytics."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.improvement import analytics_api, opportunity_api, workflow_api
from pdca.improvement.registers import SPECS

router = Router()
# The workflow's fixed paths (/nonconformities/report/ …) come before the registers' /{id}/.
router.add_router("", workflow_api.router)
router.add_router("", analytics_api.router)
router.add_router("", opportunity_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
