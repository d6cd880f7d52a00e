"""API of competence and training (7.2, 7.3): the registers (competence requirements,
training records, qualifications, training assignments, awareness campaigns), courses and
paths, taking training, the competence matrix, and awareness campaigns' launch and report."""

from ninja import Router

from pdca.core.registers.api import add_register_routes
from pdca.people import campaign_api, competence_api, course_api, learning_api
from pdca.people.registers import SPECS

router = Router()
# The fixed paths (/training-assignments/{id}/progress/ …) come before the registers' /{id}/.
router.add_router("", course_api.router)
router.add_router("", learning_api.router)
router.add_router("", competence_api.router)
router.add_router("", campaign_api.router)
for spec in SPECS:
    add_register_routes(router, spec)
