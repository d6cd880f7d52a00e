"""API of documented information, versions, acknowledgements and the evidence store."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.documents.evidence import api as evidence_api
from pdca.documents.registers import SPECS
from pdca.documents.starters import api as template_api
from pdca.documents.versions import api as version_api

router = Router()
router.add_router("/", version_api.router)
router.add_router("/", evidence_api.router)
router.add_router("/", template_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
