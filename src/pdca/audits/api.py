"""API of audit programmes, audits, their plans, fieldwork, findings and reports."""

from ninja import Router

from pdca.audits import fieldwork_api, plan_api, report_api
from pdca.audits.registers import SPECS
from pdca.core.registers.api import add_register_routes

router = Router()
router.add_router("/", plan_api.router)
router.add_router("/", fieldwork_api.router)
router.add_router("/", report_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
