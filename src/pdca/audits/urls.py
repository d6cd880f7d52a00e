"""Pages of audit programmes and audits (mounted at the site root)."""

from pdca.audits import fieldwork_urls, plan_urls, report_urls
from pdca.audits.registers import SPECS
from pdca.core.registers.views import register_urls

app_name = "audits"

urlpatterns = [
    *plan_urls.urlpatterns,
    *fieldwork_urls.urlpatterns,
    *report_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
