"""Who may do what in corrective action (see docs/permissions.md).

Every member may report a nonconformity; employees then see what they reported or own (or
own an action of), the other roles see every one. Implementers triage, dismiss and close; the
owner of a nonconformity takes it through correction, cause analysis and planning; the owner
of an action implements it. The effectiveness check is made by an implementer, top management or an
internal auditor who owns none of the actions it checks (a rule of the service).
"""

from pdca.core.permissions import register
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.improvement.models import (
    CapaPolicy,
    CertificationTerms,
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementOpportunity,
    Nonconformity,
)
from pdca.system.permissions import IMPLEMENTERS

#: Everyone but employees sees every nonconformity; employees see their own.
READERS = ORGANIZATION_ROLES - {Role.EMPLOYEE}
#: Who may record a full nonconformity (not only report one).
RECORDERS = IMPLEMENTERS | {Role.INTERNAL_AUDITOR}
#: Who may check that corrective actions worked.
VERIFIERS = IMPLEMENTERS | {Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR}
#: Roles that may own a nonconformity or an action and act on it.
OWNER_ROLES = ORGANIZATION_ROLES - {Role.ADMIN} - IMPLEMENTERS

register(
    Nonconformity,
    view=READERS,
    report=ORGANIZATION_ROLES,
    add=RECORDERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    triage=IMPLEMENTERS,
    close=IMPLEMENTERS,
    verify=VERIFIERS,
    owner_field="owner",
    owner_roles=OWNER_ROLES,
    owner_actions={"change"},
    # An employee who owns an action reads its nonconformity to know what the action is for.
    reader_fields=("reported_by", "owner", "actions__owner"),
    reader_roles={Role.EMPLOYEE},
)
register(
    CorrectiveAction,
    view=READERS,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    implement=IMPLEMENTERS,
    owner_field="owner",
    owner_roles=OWNER_ROLES,
    owner_actions={"implement"},
    reader_fields=("owner",),
    reader_roles={Role.EMPLOYEE},
)
register(EffectivenessCheck, view=READERS, add=VERIFIERS)
register(CapaPolicy, view=ORGANIZATION_ROLES, change=IMPLEMENTERS)
register(
    CertificationTerms,
    view=ORGANIZATION_ROLES,
    add=IMPLEMENTERS,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
)
register(
    ImprovementOpportunity,
    view=ORGANIZATION_ROLES,
    add=ORGANIZATION_ROLES,
    change=IMPLEMENTERS,
    delete=IMPLEMENTERS,
    promote=IMPLEMENTERS,
    owner_field="owner",
    owner_roles=OWNER_ROLES,
    owner_actions={"change"},
)
