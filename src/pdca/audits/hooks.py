"""What audits announce to higher apps, without importing them (see core.hooks).

Corrective action sits above audits: a major or minor finding opens a nonconformity in the
auditee's register, an opportunity for improvement opens an improvement opportunity. The
finding services fire these hooks in their own transaction; `pdca.improvement` registers its
reactions when it starts.
"""

from __future__ import annotations

from pdca.core.hooks import Hook

#: A finding was raised or its grade may have changed: `(audit, finding, previous_grade, *,
#: actor)`, `previous_grade` None for a new finding.
finding_graded: Hook[..., None] = Hook(
    "audits.finding_graded",
    "A nonconformity finding opens (or re-grades) the auditee's nonconformity; an OFI opens an "
    "improvement opportunity.",
)

#: A finding is about to be deleted: `(finding, *, actor)`.
finding_deleted: Hook[..., None] = Hook(
    "audits.finding_deleted", "The OFI's opportunity goes with it while nobody took it up."
)

#: Someone is about to join an audit's team or become its lead auditor: `(audit, user, role, *,
#: field)`, `role` a team role ("lead", "auditor", "expert", "observer", "guide"). A receiver
#: refuses by raising ValidationFailed on `field` (a certification body's conflicts of
#: interest); it returns nothing when it has no objection.
auditor_chosen: Hook[..., None] = Hook(
    "audits.auditor_chosen",
    "A certification body refuses a person with a declared conflict with the audited client.",
)
