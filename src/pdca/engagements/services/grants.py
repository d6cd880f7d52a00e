"""Access grants: the client decides what the provider of an engagement may read, from when
until when, and revokes it at any time. Reading under a grant is in `shared.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.registers.spec import all_specs
from pdca.documents.models import Document, DocumentVersion, EvidenceFile
from pdca.engagements.access import CLIENT, require_side
from pdca.engagements.models import AccessGrant, Engagement
from pdca.engagements.permissions import GRANTORS
from pdca.engagements.services import checks
from pdca.engagements.services.logging import record_both
from pdca.system.models import ManagementSystem

if TYPE_CHECKING:
    from pdca.accounts.models import User

#: The longest a single grant may run; a longer audit gets a new grant.
MAX_GRANT_DAYS = 400
#: Registers a client may share: its own registers (not a certification body's).
CLIENT_REGISTER_APPS = frozenset(
    {
        "system",
        "risks",
        "documents",
        "people",
        "audits",
        "improvement",
        "environment",
        "safety",
        "food",
        "continuity",
        "reviews",
    }
)


def shareable_registers() -> dict[str, str]:
    """{slug: title} of the registers a client may grant."""
    return {
        spec.slug: spec.title
        for spec in all_specs()
        if spec.model._meta.app_label in CLIENT_REGISTER_APPS
    }


def own_rows(
    model: type[Any], ids: list[int], organization_id: int, name: str, errors: list[FieldError]
) -> list[Any]:
    """The rows of `ids` that belong to the client; an id of another organization is refused
    as unknown (it does not exist for this client)."""
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        errors.append(FieldError(name, "Give a list of ids."))
        return []
    rows = list(model._default_manager.filter(organization_id=organization_id, pk__in=ids))
    missing = sorted(set(ids) - {row.pk for row in rows})
    if missing:
        errors.append(FieldError(name, f"No such item: {', '.join(map(str, missing))}."))
    return rows


@transaction.atomic
def grant_access(
    engagement: Engagement,
    *,
    purpose: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime,
    documents: Sequence[int] = (),
    versions: Sequence[int] = (),
    evidence: Sequence[int] = (),
    registers: Sequence[str] = (),
    system: int | None = None,
    actor: User,
) -> AccessGrant:
    """Give the engagement's provider read-only access to the named items until `ends_at`."""
    require_side(actor, engagement, CLIENT, GRANTORS)
    lock_for_update(engagement, check=False)
    if engagement.status != Engagement.Status.ACTIVE:
        raise Conflict("Access is granted on an active link only.", code="not_active")
    org_id = engagement.client_organization_id
    assert org_id is not None
    errors: list[FieldError] = []
    purpose = checks.text(purpose, "purpose", errors, limit=200, required=True)
    now = timezone.now()
    starts_at = starts_at or now
    if not isinstance(ends_at, dt.datetime):
        errors.append(FieldError("ends_at", "Give a date and time."))
    elif ends_at <= starts_at:
        errors.append(FieldError("ends_at", "It ends before it starts."))
    elif ends_at <= now:
        errors.append(FieldError("ends_at", "The end is in the past."))
    elif ends_at - starts_at > dt.timedelta(days=MAX_GRANT_DAYS):
        errors.append(FieldError("ends_at", f"A grant runs at most {MAX_GRANT_DAYS} days."))
    docs = own_rows(Document, list(documents), org_id, "documents", errors)
    vers = own_rows(DocumentVersion, list(versions), org_id, "versions", errors)
    files = own_rows(EvidenceFile, list(evidence), org_id, "evidence", errors)
    known = shareable_registers()
    slugs = list(dict.fromkeys(registers))
    unknown = [s for s in slugs if s not in known]
    if unknown:
        errors.append(FieldError("registers", f"No such register: {', '.join(unknown)}."))
    chosen_system = None
    if system is not None:
        chosen_system = ManagementSystem.objects.filter(organization_id=org_id, pk=system).first()
        if chosen_system is None:
            errors.append(FieldError("system", "No such management system."))
    if not errors and not (docs or vers or files or slugs or chosen_system):
        errors.append(FieldError("documents", "Choose at least one item to share."))
    if errors:
        raise ValidationFailed(errors)
    grant = AccessGrant.objects.create(
        organization_id=org_id,
        engagement=engagement,
        purpose=purpose,
        starts_at=starts_at,
        ends_at=ends_at,
        registers=slugs,
        system=chosen_system,
        granted_by=actor,
    )
    grant.documents.set(docs)
    grant.versions.set(vers)
    grant.evidence.set(files)
    record_both(
        engagement,
        grant,
        actor=actor,
        action="create",
        changes={
            "documents": [None, [d.pk for d in docs]],
            "versions": [None, [v.pk for v in vers]],
            "evidence": [None, [f.pk for f in files]],
            "registers": [None, slugs],
            "system": [None, chosen_system.pk if chosen_system else None],
            "ends_at": [None, ends_at.isoformat()],
        },
        message=f"Access granted to {engagement.organization}: {purpose}, until "
        f"{timezone.localtime(ends_at):%Y-%m-%d %H:%M}.",
    )
    return grant


@transaction.atomic
def revoke_grant(grant: AccessGrant, reason: str, *, actor: User) -> AccessGrant:
    """End a grant now; the provider's next request is refused."""
    engagement = grant.engagement
    require_side(actor, engagement, CLIENT, GRANTORS)
    errors: list[FieldError] = []
    reason = checks.text(reason, "reason", errors, limit=500, required=True)
    if errors:
        raise ValidationFailed(errors)
    lock_for_update(grant)
    now = timezone.now()
    if grant.revoked_at is not None:
        raise Conflict("The grant is already revoked.", code="grant_revoked")
    if grant.ends_at <= now:
        raise Conflict("The grant has already ended.", code="grant_ended")
    grant.revoked_at = now
    grant.revoked_by = actor
    grant.revoke_reason = reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
    record_both(
        engagement,
        grant,
        actor=actor,
        action="revoke",
        message=f"Access revoked: {reason}",
    )
    return grant
