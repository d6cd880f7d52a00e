"""Improvement opportunities: their numbering, their promotion to a corrective action, and the
opportunity's own part of its register page.

An opportunity is lighter than a nonconformity. When it turns out that something must be
corrected (a cause removed, not just an idea taken up), an implementer promotes it: a
Nonconformity with source "opportunity" is opened from it, and the opportunity points to it
from then on. Promotion happens once; a rejected or implemented opportunity is not promoted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse

from pdca.core.activity import record_update, snapshot
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.permissions import may, require
from pdca.improvement.models import ImprovementOpportunity, Nonconformity

if TYPE_CHECKING:
    from django.http import HttpRequest

    from pdca.accounts.models import User

#: States from which an opportunity can no longer be promoted, with the refusal's code.
NOT_PROMOTABLE: dict[str, str] = {
    ImprovementOpportunity.Status.PROMOTED: "already_promoted",
    ImprovementOpportunity.Status.REJECTED: "opportunity_closed",
    ImprovementOpportunity.Status.IMPLEMENTED: "opportunity_closed",
}
REFERENCE_PREFIX = "OFI-"
_NUMBERED = re.compile(rf"^{REFERENCE_PREFIX}(\d+)$")


def number_opportunity(opportunity: ImprovementOpportunity) -> None:
    """Give an opportunity without a reference the organization's next one: OFI-001, OFI-002…
    (a register `before_save` hook: it runs before the entry is saved)."""
    if opportunity.reference:
        return
    from pdca.improvement.numbering import lock_organization

    lock_organization(opportunity.organization_id)
    taken = ImprovementOpportunity.objects.filter(
        organization_id=opportunity.organization_id, reference__startswith=REFERENCE_PREFIX
    ).values_list("reference", flat=True)
    numbers = [int(m.group(1)) for ref in taken if (m := _NUMBERED.match(ref))]
    opportunity.reference = f"{REFERENCE_PREFIX}{max(numbers, default=0) + 1:03d}"


def validate_opportunity(
    opportunity: ImprovementOpportunity, related: dict[str, list[Any]]
) -> None:
    """Promotion has its own step: the register's forms cannot mark an opportunity promoted,
    nor take a promoted one back (a register `validate` hook)."""
    promoted = ImprovementOpportunity.Status.PROMOTED
    if opportunity.promoted_to_id is None and opportunity.status == promoted:
        raise ValidationFailed.single(
            "status",
            "An opportunity becomes promoted by promoting it to a corrective action "
            "(the Promote button), which opens the nonconformity.",
        )
    if opportunity.promoted_to_id is not None and opportunity.status != promoted:
        raise ValidationFailed.single(
            "status",
            "This opportunity was promoted to a nonconformity; follow it up there.",
        )


def promotion_refusal(opportunity: ImprovementOpportunity) -> Conflict | None:
    """Why the opportunity cannot be promoted in its current state, or None when it can."""
    if opportunity.promoted_to_id is not None:
        return Conflict(
            f"{_label(opportunity)} was promoted already: follow it up in its nonconformity.",
            code="already_promoted",
        )
    code = NOT_PROMOTABLE.get(opportunity.status)
    if code is not None:
        return Conflict(
            f"{_label(opportunity)} is {opportunity.get_status_display().lower()}: only an "
            "open or in-progress opportunity is promoted to a corrective action.",
            code=code,
        )
    return None


def _label(opportunity: ImprovementOpportunity) -> str:
    return opportunity.reference or f"Opportunity #{opportunity.pk}"


def _description(opportunity: ImprovementOpportunity) -> str:
    parts = [opportunity.description.strip()]
    if opportunity.benefit.strip():
        parts.append(f"Benefit expected: {opportunity.benefit.strip()}")
    # A nonconformity needs a description; an opportunity may have none.
    return "\n\n".join(p for p in parts if p) or opportunity.title


@transaction.atomic
def promote_opportunity(
    opportunity: ImprovementOpportunity,
    *,
    actor: User,
    severity: str = "",
    owner: User | None = None,
) -> Nonconformity:
    """Promote an opportunity to a corrective action: open a nonconformity (source
    "opportunity") with its title, description and benefit, process and requirements, owned
    by `owner` (else the opportunity's owner), and mark the opportunity promoted to it.
    Refused when it was promoted already, rejected or implemented."""
    from pdca.core.registers.services import create_entry
    from pdca.improvement.registers import NONCONFORMITIES

    require(actor, "promote", opportunity)
    # Locked: two people pressing Promote at once must not open two nonconformities.
    opportunity = (
        ImprovementOpportunity.objects.select_for_update()
        .select_related("organization")
        .get(pk=opportunity.pk)
    )
    refusal = promotion_refusal(opportunity)
    if refusal is not None:
        raise refusal
    before = snapshot(opportunity)
    nonconformity = create_entry(
        NONCONFORMITIES,
        opportunity.organization,
        actor=actor,
        title=opportunity.title,
        description=_description(opportunity),
        source=Nonconformity.Source.OPPORTUNITY,
        severity=severity or "",
        process=opportunity.process,
        owner=owner if owner is not None else opportunity.owner,
        requirements=list(opportunity.requirements.all()),
    )
    opportunity.promoted_to = nonconformity
    opportunity.status = ImprovementOpportunity.Status.PROMOTED
    opportunity.save(update_fields=["promoted_to", "status", "updated_at"])
    record_update(
        actor=actor,
        obj=opportunity,
        before=before,
        action="promote",
        message=f"Promoted to nonconformity {nonconformity.reference or nonconformity.pk}.",
    )
    return nonconformity


def opportunity_detail_context(
    request: HttpRequest, opportunity: ImprovementOpportunity
) -> dict[str, Any]:
    """What the opportunity's page shows besides its fields: the audit finding it came from,
    the nonconformity it was promoted to, and the Promote form for those who may."""
    from pdca.audits.models import Finding
    from pdca.core.registers.choices import choices_for
    from pdca.improvement.registers import NONCONFORMITIES

    user = request.user
    finding = (
        Finding.objects.select_related("audit").filter(pk=opportunity.finding_id).first()
        if opportunity.finding_id
        else None
    )
    nonconformity = (
        Nonconformity.objects.filter(pk=opportunity.promoted_to_id).first()
        if opportunity.promoted_to_id
        else None
    )
    can_promote = may(user, "promote", opportunity) and promotion_refusal(opportunity) is None
    return {
        "finding": finding,
        # Findings are the auditors' working papers: others see the audit, not the finding.
        "finding_url": (
            reverse("audits:finding", args=[finding.pk])
            if finding and may(user, "view", finding)
            else None
        ),
        "audit_url": (
            reverse("audits:audits-detail", args=[finding.audit_id])
            if finding and may(user, "view", finding.audit)
            else None
        ),
        "nonconformity": nonconformity,
        "nonconformity_url": (
            reverse("improvement:nonconformities-detail", args=[nonconformity.pk])
            if nonconformity and may(user, "view", nonconformity)
            else None
        ),
        "can_promote": can_promote,
        "promote_url": reverse("improvement:opportunity-promote", args=[opportunity.pk]),
        "severities": Nonconformity.Severity.choices,
        "members": (
            list(choices_for(NONCONFORMITIES, "owner", opportunity.organization_id))
            if can_promote
            else []
        ),
    }
