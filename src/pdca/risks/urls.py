"""Pages of the risk-side registers (mounted at the site root)."""

from pdca.core.registers.views import register_urls
from pdca.risks.method import urls as method_urls
from pdca.risks.registers import SPECS
from pdca.risks.soa import urls as soa_urls

app_name = "risks"

urlpatterns = [
    *method_urls.urlpatterns,
    *soa_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
