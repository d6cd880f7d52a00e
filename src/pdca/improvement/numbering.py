"""References of nonconformities: NC-0001, NC-0002… per organization."""

from __future__ import annotations

from django.db.models import DecimalField, Max
from django.db.models.functions import Cast, Substr

from pdca.improvement.models import Nonconformity

PREFIX = "NC-"


def next_reference(organization_id: int) -> str:
    """The next free NC-number. The caller holds the organization's row lock, so two people
    reporting at once do not get the same one. The highest number is found by the database
    (reading every reference took most of the time of reporting one, ten years in)."""
    top = Nonconformity.objects.filter(
        organization_id=organization_id, reference__regex=r"^NC-[0-9]+$"
    ).aggregate(
        n=Max(
            Cast(
                Substr("reference", len(PREFIX) + 1),
                DecimalField(max_digits=40, decimal_places=0),
            )
        )
    )["n"]
    return f"{PREFIX}{int(top or 0) + 1:04d}"


def lock_organization(organization_id: int) -> None:
    from pdca.tenancy.models import Organization

    Organization.objects.select_for_update().filter(pk=organization_id).first()


def number_nonconformity(nonconformity: Nonconformity) -> None:
    """Give a nonconformity without a reference the next NC-number (inside its transaction)."""
    if nonconformity.reference:
        return
    lock_organization(nonconformity.organization_id)
    nonconformity.reference = next_reference(nonconformity.organization_id)
