"""Who may see a job: the person who asked for it, and the managers of its organization.
Another organization's jobs do not exist (404); platform jobs (no organization) are seen at the
command line only."""

from pdca.core.jobs.models import Job
from pdca.core.permissions import register
from pdca.core.roles import ALL_ROLES, MANAGERS

register(
    Job,
    view=MANAGERS,
    retry=MANAGERS,
    owner_field="requested_by",
    owner_roles=ALL_ROLES,
    owner_actions={"view", "retry"},
)
