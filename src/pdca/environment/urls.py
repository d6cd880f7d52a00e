"""Pages of this app (mounted at the site root)."""

from pdca.core.registers.views import register_urls
from pdca.environment.registers import SPECS

app_name = "environment"

urlpatterns = [
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
