"""Pages of documented information and evidence (mounted at the site root)."""

from pdca.core.registers.views import register_urls
from pdca.documents import evidence_urls, template_urls, version_urls
from pdca.documents.registers import SPECS

app_name = "documents"

urlpatterns = [
    *version_urls.urlpatterns,
    *evidence_urls.urlpatterns,
    *template_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
