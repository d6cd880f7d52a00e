"""The REST API at /api/v1/: one NinjaAPI assembling every app's router."""

from pdca.accounts.api import router as accounts_router
from pdca.accounts.api_auth import api_auth
from pdca.assessments.api import router as assessments_router
from pdca.assessments.jobs_api import router as assessment_jobs_router
from pdca.audits.api import router as audits_router
from pdca.certification.api import router as certification_router
from pdca.certification.public_api import router as verification_router
from pdca.continuity.api import router as continuity_router
from pdca.core.activity_api import router as activity_router
from pdca.core.api import PdcaAPI, install_error_handlers
from pdca.core.jobs.api import router as jobs_router
from pdca.core.records.retention_api import router as retention_router
from pdca.documents.api import router as documents_router
from pdca.engagements.api import router as engagements_router
from pdca.environment.api import router as environment_router
from pdca.food.api import router as food_router
from pdca.improvement.api import router as improvement_router
from pdca.interop.oscal.api import router as oscal_router
from pdca.people.api import router as people_router
from pdca.reviews.api import router as reviews_router
from pdca.risks.api import router as risks_router
from pdca.safety.api import router as safety_router
from pdca.standards.api import router as standards_router
from pdca.system.api import router as system_router
from pdca.system.transition.api import router as system_transition_router
from pdca.system.workspace_api import router as workspace_router
from pdca.tenancy.api import router as tenancy_router

api = PdcaAPI(
    title="pdca API",
    version="1",
    description=(
        "REST API of pdca. Authenticate with a personal API token "
        "(`Authorization: Bearer pdca_…`, created on your profile page) or, from the browser, "
        "with your session and its CSRF token. Errors are RFC 9457 problem details; list "
        "endpoints page with `limit` and `offset` and return the total `count`."
    ),
    auth=api_auth,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/", tenancy_router)
api.add_router("/activity/", activity_router)
api.add_router("/", retention_router)
api.add_router("/", jobs_router)
api.add_router("/", standards_router)
api.add_router("/", system_router)
api.add_router("/", system_transition_router)
api.add_router("/", assessments_router)
api.add_router("/", assessment_jobs_router)
api.add_router("/", workspace_router)
api.add_router("/", risks_router)
api.add_router("/", environment_router)
api.add_router("/", safety_router)
api.add_router("/", food_router)
api.add_router("/", continuity_router)
api.add_router("/", documents_router)
api.add_router("/", audits_router)
api.add_router("/", improvement_router)
api.add_router("/", people_router)
api.add_router("/", certification_router)
api.add_router("/", reviews_router)
api.add_router("/", engagements_router)
api.add_router("/", oscal_router)
api.add_router("/verify", verification_router)
