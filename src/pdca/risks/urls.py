"""Pages of the risk-side registers (mounted at the site root)."""

from pdca.core.registers.views import register_urls
from pdca.risks import method_urls, soa_urls
from pdca.risks.registers import SPECS

app_name = "risks"

urlpatterns = [
    *method_urls.urlpatterns,
    *soa_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
