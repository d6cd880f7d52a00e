"""Pages of this app (mounted at the site root)."""

from pdca.continuity.registers import SPECS
from pdca.core.registers.views import register_urls

app_name = "continuity"

urlpatterns = [
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
