from django.urls import include, path

from pdca.api import api
from pdca.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("pdca.accounts.urls")),
    path("standards/", include("pdca.standards.urls")),
    path("systems/", include("pdca.system.urls")),
    path("assessments/", include("pdca.assessments.urls")),
    path("jobs/", include("pdca.core.jobs.urls")),
    path("oscal/", include("pdca.interop.urls")),
    path("", include("pdca.system.workspace_urls")),
    path("", include("pdca.risks.urls")),
    path("", include("pdca.environment.urls")),
    path("", include("pdca.safety.urls")),
    path("", include("pdca.food.urls")),
    path("", include("pdca.continuity.urls")),
    path("", include("pdca.documents.urls")),
    path("", include("pdca.people.urls")),
    path("", include("pdca.certification.urls")),
    path("verify/", include("pdca.certification.public_urls")),
    path("", include("pdca.audits.urls")),
    path("", include("pdca.improvement.urls")),
    path("", include("pdca.reviews.urls")),
    path("", include("pdca.engagements.urls")),
    path("", include("pdca.tenancy.urls")),
    path("", include("pdca.web.urls")),
]

# A URL under /api/ that matches no endpoint (an unknown path, an id that is not a number) is a
# problem document; elsewhere Django's page.
handler404 = "pdca.core.problem_middleware.page_not_found"
