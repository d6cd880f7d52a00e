"""Who may do what with management reviews.

Top management chairs the review and approves its minutes; implementers (system managers,
consultants) prepare it with them: plan it, compile its inputs, write assessments, record the
outputs. Every member but employees reads reviews and their actions (internal auditors audit
them); an employee sees the actions they own, and the owner of an action (a process owner or
an employee) updates its status."""

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.reviews.models import ManagementReview, ReviewInput, ReviewOutput, ReviewPlan
from pdca.system.permissions import IMPLEMENTERS

#: Who prepares and holds a review.
REVIEWERS = IMPLEMENTERS | {Role.TOP_MANAGEMENT}
#: Who reads reviews, their inputs and actions.
READERS = ORGANIZATION_ROLES - {Role.EMPLOYEE}
#: Who approves minutes: top management, accountable for the system (5.1).
APPROVERS = frozenset({Role.TOP_MANAGEMENT})

register(ReviewPlan, view=READERS, change=REVIEWERS)
register(
    ManagementReview,
    view=READERS,
    add=REVIEWERS,
    change=REVIEWERS,
    delete=REVIEWERS,
    compile=REVIEWERS,
    hold=REVIEWERS,
    approve=APPROVERS,
    cancel=REVIEWERS,
)
register(ReviewInput, view=READERS, change=REVIEWERS)
register(
    ReviewOutput,
    view=READERS,
    add=REVIEWERS,
    change=REVIEWERS,
    delete=REVIEWERS,
    owner_field="owner",
    owner_roles={Role.PROCESS_OWNER, Role.EMPLOYEE, Role.INTERNAL_AUDITOR},
    owner_actions={"change"},
    reader_fields=("owner",),
    reader_roles={Role.EMPLOYEE},
)
