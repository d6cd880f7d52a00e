"""Pages of nonconformities (mounted at the site root)."""

from pdca.core.registers.views import register_urls
from pdca.improvement.registers import SPECS

app_name = "improvement"

urlpatterns = [pattern for spec in SPECS for pattern in register_urls(spec)]
