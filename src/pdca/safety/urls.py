"""Pages of this app (mounted at the site root)."""

from pdca.core.registers.views import register_urls
from pdca.safety.registers import SPECS

app_name = "safety"

urlpatterns = [
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
