"""Pages of documented information and evidence (mounted at the site root)."""

from pdca.core.registers.views import register_urls
from pdca.documents.evidence import urls as evidence_urls
from pdca.documents.registers import SPECS
from pdca.documents.starters import urls as template_urls
from pdca.documents.versions import urls as version_urls

app_name = "documents"

urlpatterns = [
    *version_urls.urlpatterns,
    *evidence_urls.urlpatterns,
    *template_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
