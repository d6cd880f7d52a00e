"""References of nonconformities: NC-0001, NC-0002… per organization."""

from __future__ import annotations

import re

from pdca.improvement.models import Nonconformity

PREFIX = "NC-"
_NUMBERED = re.compile(r"^NC-(\d+)$")


def next_reference(organization_id: int) -> str:
    """The next free NC-number. The caller holds the organization's row lock, so two people
    reporting at once do not get the same one."""
    taken = Nonconformity.objects.filter(
        organization_id=organization_id, reference__startswith=PREFIX
    ).values_list("reference", flat=True)
    numbers = [int(m.group(1)) for ref in taken if (m := _NUMBERED.match(ref))]
    return f"{PREFIX}{max(numbers, default=0) + 1:04d}"


def lock_organization(organization_id: int) -> None:
    from pdca.tenancy.models import Organization

    Organization.objects.select_for_update().filter(pk=organization_id).first()


def number_nonconformity(nonconformity: Nonconformity) -> None:
    """Give a nonconformity without a reference the next NC-number (inside its transaction)."""
    if nonconformity.reference:
        return
    lock_organization(nonconformity.organization_id)
    nonconformity.reference = next_reference(nonconformity.organization_id)
