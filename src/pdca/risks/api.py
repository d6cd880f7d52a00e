"""API of the risk-side registers, the risk method, treatment actions and the SoA."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.risks.method import api as method_api
from pdca.risks.registers import SPECS
from pdca.risks.soa import api as soa_api
from pdca.risks.soa import jobs_api as soa_jobs_api

router = Router()
# The method's and heat map's fixed paths go first: `/risks/heatmap/` must not be read as a
# risk id.
router.add_router("/", method_api.router)
router.add_router("/", soa_api.router)
router.add_router("/", soa_jobs_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
