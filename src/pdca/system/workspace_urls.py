"""Pages of the implementer's registers kept in the system app (mounted at the site root)."""

from pdca.core.registers.views import register_urls
from pdca.system.objectives import urls as objective_urls
from pdca.system.processes import urls as process_urls
from pdca.system.registers import SPECS

app_name = "workspace"

# The registers' own pages first would hide `processes/map/` behind nothing (ids are numbers),
# but the specific pages go first anyway so a future slug never shadows them.
urlpatterns = [
    *process_urls.urlpatterns,
    *objective_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
