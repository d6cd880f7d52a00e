"""The organization's corrective-action policy: due dates and waiting periods by severity."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields
from pdca.improvement.models import CapaPolicy

POLICY_FIELDS = ("major_due_days", "minor_due_days", "major_wait_days", "minor_wait_days")
MAX_DAYS = 730


def policy_for(organization) -> CapaPolicy:
    """The organization's policy, or the defaults (unsaved) while it has none."""
    organization_id = getattr(organization, "pk", organization)
    return CapaPolicy.objects.filter(organization_id=organization_id).first() or CapaPolicy(
        organization_id=organization_id
    )


@transaction.atomic
def update_capa_policy(organization, *, actor, **fields: Any) -> CapaPolicy:
    """Change the given days of the organization's policy (created on first change)."""
    from pdca.improvement.numbering import lock_organization

    # Under the organization's lock: two first changes at once must not both create the policy.
    lock_organization(getattr(organization, "pk", organization))
    policy = policy_for(organization)
    if policy.pk:
        lock_for_update(policy)
    require(actor, "change", policy)
    errors: list[FieldError] = []
    for name, value in fields.items():
        if name not in POLICY_FIELDS:
            continue  # apply_fields below names it
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_DAYS:
            errors.append(FieldError(name, f"Give a whole number of days from 0 to {MAX_DAYS}."))
        elif name.endswith("_due_days") and value < 1:
            errors.append(FieldError(name, "Give at least one day."))
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(policy) if policy.pk else {}
    apply_fields(policy, fields, POLICY_FIELDS)
    created = policy.pk is None
    if created:
        policy.save()
    else:
        save_changed(policy)
    after = snapshot(policy)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes or created:
        record_activity(
            actor=actor, action="create" if created else "update", obj=policy, changes=changes
        )
    return policy
