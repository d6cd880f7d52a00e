"""API of improvement opportunities besides their register (whose endpoints come from its
spec): promoting one to a corrective action. Thin: the rules are in
`pdca.improvement.opportunities.services`."""

from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from pdca.core.api import Id, Input, responses
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import scope
from pdca.core.registers.choices import choices_for
from pdca.improvement.models import ImprovementOpportunity
from pdca.improvement.opportunities import services

router = Router(tags=["Improvement opportunities"])


class PromoteIn(Input):
    severity: Literal["major", "minor", ""] = Field(
        default="", description="The nonconformity's severity; empty to grade it at triage"
    )
    owner: Id | None = Field(
        default=None,
        description="User id of the nonconformity's owner (the opportunity's owner if left out)",
    )


class PromotedOut(Schema):
    id: int = Field(description="The new nonconformity's id")
    reference: str = Field(description="The new nonconformity's reference (may be empty)")
    url: str = Field(description="The new nonconformity's page")
    opportunity: int = Field(description="The promoted opportunity's id")


@router.post(
    "/opportunities/{int:opportunity_id}/promote/",
    response=responses(PromotedOut, 201),
    operation_id="promote_opportunity",
)
def promote_opportunity(request, opportunity_id: int, payload: PromoteIn | None = None):
    """Promote an opportunity to a corrective action: a nonconformity (source "opportunity")
    is opened from it. Refused (409) when it was promoted already, rejected or implemented."""
    from django.urls import reverse

    from pdca.improvement.registers import NONCONFORMITIES

    opportunity = get_object_or_404(
        scope(ImprovementOpportunity.objects.select_related("organization"), request.auth),
        pk=opportunity_id,
    )
    payload = payload or PromoteIn()
    owner = None
    if payload.owner is not None:
        owner = (
            choices_for(NONCONFORMITIES, "owner", opportunity.organization)
            .filter(pk=payload.owner)
            .first()
        )
        if owner is None:
            raise ValidationFailed.single(
                "owner", f"User {payload.owner} is not a member of {opportunity.organization}."
            )
    nonconformity = services.promote_opportunity(
        opportunity, actor=request.auth, severity=payload.severity, owner=owner
    )
    return Status(
        201,
        {
            "id": nonconformity.pk,
            "reference": nonconformity.reference,
            "url": reverse("improvement:nonconformities-detail", args=[nonconformity.pk]),
            "opportunity": opportunity.pk,
        },
    )
