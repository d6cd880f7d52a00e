"""API of documented information, versions, acknowledgements and the evidence store."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.documents import evidence_api, template_api, version_api
from pdca.documents.registers import SPECS

router = Router()
router.add_router("/", version_api.router)
router.add_router("/", evidence_api.router)
router.add_router("/", template_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
