"""A nonconformity that shows a risk nobody had foreseen raises one in the risk register
(clause 10.2 asks to update the risks and opportunities determined in planning)."""

from __future__ import annotations

from django.db import transaction

from pdca.core.activity import record_update, snapshot
from pdca.core.exceptions import Conflict
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_open
from pdca.improvement.models import Nonconformity


def _free_code(organization_id: int, wanted: str) -> str:
    from pdca.risks.models import Risk

    code, n = wanted[:20], 2
    while Risk.objects.filter(organization_id=organization_id, code__iexact=code).exists():
        suffix = f"-{n}"
        code, n = f"{wanted[: 20 - len(suffix)]}{suffix}", n + 1
    return code


@transaction.atomic
def raise_risk(nonconformity: Nonconformity, *, actor):
    """Open a risk from the nonconformity (its title, what happened, the root cause when known,
    its owner, process and requirements) and link the two; the risk is then rated on the risk
    method like any other. Refused when the nonconformity already has a risk."""
    from pdca.core.registers.services import create_entry
    from pdca.risks.registers import RISKS

    nc = Nonconformity.objects.select_for_update(of=("self",)).get(pk=nonconformity.pk)
    require(actor, "change", nc)
    ensure_open(nc)
    if nc.risk_id is not None:
        raise Conflict(
            f"{nc.reference or nc.pk} is linked to a risk already: update that one.",
            code="risk_linked",
        )
    description = f"Raised from nonconformity {nc.reference}: {nc.description}"
    if nc.root_cause:
        description += f"\n\nRoot cause: {nc.root_cause}"
    risk = create_entry(
        RISKS,
        nc.organization,
        actor=actor,
        kind="risk",
        code=_free_code(nc.organization_id, f"R-{nc.reference or nc.pk}"),
        title=nc.title,
        description=description,
        owner=nc.owner,
        processes=[nc.process] if nc.process else [],
        requirements=list(nc.requirements.all()),
        status="identified",
    )
    before = snapshot(nc)
    nc.risk = risk
    nc.save(update_fields=["risk", "updated_at"])
    record_update(actor=actor, obj=nc, before=before, message=f"Raised risk {risk.code}.")
    return risk
