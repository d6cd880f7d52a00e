"""Pages of the improvement app (mounted at the site root): the registers, then the
workflow, opportunity and analytics pages."""

from pdca.core.registers.views import register_urls
from pdca.improvement.analytics import urls as analytics_urls
from pdca.improvement.opportunities import urls as opportunity_urls
from pdca.improvement.registers import SPECS
from pdca.improvement.workflow import urls as workflow_urls

app_name = "improvement"

urlpatterns = [
    *workflow_urls.urlpatterns,
    *analytics_urls.urlpatterns,
    *opportunity_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
