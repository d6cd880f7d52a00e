"""API of audit programmes, audits, their plans, fieldwork, findings and reports."""

from ninja import Router

from pdca.audits.fieldwork import api as fieldwork_api
from pdca.audits.plan import api as plan_api
from pdca.audits.registers import SPECS
from pdca.audits.report import api as report_api
from pdca.core.registers.api import add_register_routes

router = Router()
router.add_router("/", plan_api.router)
router.add_router("/", fieldwork_api.router)
router.add_router("/", report_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
