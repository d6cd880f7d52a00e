"""Entries in both organizations' activity logs for what crosses an engagement, and the log of
each read the provider makes of the client's data."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from pdca.core.activity import record_activity
from pdca.engagements.models import AccessGrant, Engagement


def record_both(
    engagement: Engagement,
    obj: models.Model,
    *,
    actor: Any,
    action: str,
    message: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """Record `action` on `obj` in the provider's chain and, once linked, the client's."""
    for organization_id in (engagement.organization_id, engagement.client_organization_id):
        if organization_id is None:
            continue
        record_activity(
            actor=actor,
            action=action,
            obj=obj,
            organization=organization_id,
            changes=changes,
            message=message,
        )


@transaction.atomic
def log_access(
    grant: AccessGrant | None,
    user: Any,
    item: models.Model,
    *,
    action: str = "view",
    what: str = "",
    engagement: Engagement | None = None,
) -> None:
    """Log in the client's activity log that the provider's `user` read (`view`) or downloaded
    (`download`) `item` under `grant` (or, with `grant` None, as the answer to an evidence
    request of `engagement`). The entry's object is the item; the message names the grant."""
    engagement = engagement or (grant.engagement if grant else None)
    if engagement is None:
        raise ValueError("log_access needs a grant or an engagement")
    under = (
        f"under grant G-{grant.pk} ({grant.purpose})"
        if grant
        else "as an evidence request's answer"
    )
    label = what or str(item)
    record_activity(
        actor=user,
        action=action,
        obj=item,
        organization=engagement.client_organization_id,
        changes={"grant": grant.pk if grant else None, "engagement": engagement.pk},
        message=f"{engagement.organization} {'downloaded' if action == 'download' else 'viewed'} "
        f"{label} {under}.",
    )
