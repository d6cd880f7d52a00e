"""Pages of the improvement app (mounted at the site root): the registers, then the
workflow, opportunity and analytics pages."""

from pdca.core.registers.views import register_urls
from pdca.improvement import analytics_urls, opportunity_urls, workflow_urls
from pdca.improvement.registers import SPECS

app_name = "improvement"

urlpatterns = [
    *workflow_urls.urlpatterns,
    *analytics_urls.urlpatterns,
    *opportunity_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
