"""API of the improvement app: the registers, the corrective-action workflow, opportunities
and analytics."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.improvement.analytics import api as analytics_api
from pdca.improvement.opportunities import api as opportunity_api
from pdca.improvement.registers import SPECS
from pdca.improvement.workflow import api as workflow_api

router = Router()
# The workflow's fixed paths (/nonconformities/report/ …) come before the registers' /{id}/.
router.add_router("", workflow_api.router)
router.add_router("", analytics_api.router)
router.add_router("", opportunity_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
