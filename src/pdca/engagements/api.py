"""The engagements API: one router assembling links, rehearsals and the portfolio."""

from ninja import Router

from pdca.engagements.links.api import router as links_router
from pdca.engagements.portfolio.api import router as portfolio_router
from pdca.engagements.rehearsal.api import router as rehearsal_router

router = Router()
router.add_router("/", links_router)
router.add_router("/", rehearsal_router)
router.add_router("/", portfolio_router)
