"""Engagements: a provider (certification body or consultancy) invites a client organization by
a link; the client's manager accepts or declines it; either side ends it. Everything is logged
in both organizations' activity logs.

The link's secret is shown once to the inviter and mailed to the invitee; only its SHA-256
digest is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pdca.core.activity import snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from pdca.core.permissions import memberships, require
from pdca.engagements.access import CLIENT, PROVIDER, client_role, require_side
from pdca.engagements.models import AccessGrant, Engagement
from pdca.engagements.permissions import LINKERS
from pdca.engagements.services import checks
from pdca.engagements.services.logging import record_both
from pdca.tenancy.models import Membership, Organization

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.certification.models import Client

INVITATION_DAYS = 30
TEXT_LIMIT = 20_000
S = Engagement.Status


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def invitation_url(secret: str) -> str:
    return f"{settings.PDCA_BASE_URL}{reverse('engagements:invitation', args=[secret])}"


@dataclass(frozen=True)
class Invited:
    """A new engagement and its link, shown once."""

    engagement: Engagement
    url: str


def _mail(engagement: Engagement, url: str) -> None:
    provider = engagement.organization
    kind = (
        "certification body" if engagement.kind == Engagement.Kind.CERTIFICATION else "consultancy"
    )
    expires = timezone.localtime(engagement.expires_at).strftime("%Y-%m-%d %H:%M %Z")
    body = (
        f"{provider} ({kind}) asks to link your organization to it on pdca: {engagement.title}.\n\n"
        "Once you accept, you decide what it may read (access grants, which you can revoke), "
        "and what travels across the link is listed and logged on both sides.\n\n"
        f"Accept or decline here (the link works until {expires}):\n{url}\n"
    )
    send_mail(
        subject=f"{provider} invites your organization to link on pdca",
        message=body,
        from_email=None,
        recipient_list=[engagement.invited_email],
    )


@transaction.atomic
def invite_client(
    organization: Organization,
    *,
    email: str,
    title: str,
    client: Client | None = None,
    notes: str = "",
    actor: User,
) -> Invited:
    """Invite a client organization to link with `organization` (a certification body, for its
    client record `client`, or a consultancy)."""
    require(actor, "add", Engagement, organization=organization)
    kinds = type(organization).Kind
    errors: list[FieldError] = []
    title = checks.text(title, "title", errors, limit=200, required=True)
    notes = checks.text(notes, "notes", errors, limit=TEXT_LIMIT, required=False)
    email = checks.text(email, "email", errors, limit=254, required=True)
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        errors.append(FieldError("email", "Give an e-mail address."))
    if organization.kind == kinds.CERTIFICATION_BODY:
        kind = Engagement.Kind.CERTIFICATION
        if client is None:
            errors.append(FieldError("client", "Choose the client record the link is for."))
        elif client.organization_id != organization.pk:
            errors.append(FieldError("client", "No such client."))
    elif organization.kind == kinds.CONSULTANCY:
        kind = Engagement.Kind.CONSULTANCY
        if client is not None:
            errors.append(FieldError("client", "A consultancy has no client records."))
    else:
        raise PermissionDenied(
            "Only a certification body or a consultancy invites a client to link.",
            code="not_a_provider",
        )
    if errors:
        raise ValidationFailed(errors)
    if (
        client is not None
        and Engagement.objects.filter(client=client, status__in=[S.INVITED, S.ACTIVE])
        .exclude(status=S.INVITED, expires_at__lte=timezone.now())
        .exists()
    ):
        raise Conflict(
            f"{client} already has a pending or active link; end it first.", code="already_linked"
        )
    # An expired invitation of the same client record gives way to the new one.
    if client is not None:
        Engagement.objects.filter(client=client, status=S.INVITED).update(status=S.WITHDRAWN)
    secret = secrets.token_urlsafe(32)
    engagement = Engagement.objects.create(
        organization=organization,
        kind=kind,
        client=client,
        title=title,
        notes=notes,
        invited_email=email.lower(),
        invited_by=actor,
        token_digest=_digest(secret),
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    record_both(engagement, engagement, actor=actor, action="create", message=f"Invited {email}.")
    url = invitation_url(secret)
    transaction.on_commit(lambda: _mail(engagement, url))
    return Invited(engagement, url)


def engagement_for_token(secret: str) -> Engagement:
    """The engagement a link's secret belongs to, in any state; NotFound for a wrong one."""
    if not secret or len(secret) > 100:
        raise NotFound("This link is not valid.", code="link_invalid")
    engagement = (
        Engagement.objects.select_related("organization", "client_organization")
        .filter(token_digest=_digest(secret))
        .first()
    )
    if engagement is None:
        raise NotFound("This link is not valid.", code="link_invalid")
    return engagement


def client_choices(user: Any) -> list[Organization]:
    """The organizations `user` may link as a client: those they manage that implement a
    management system."""
    managed = [org for org, role in memberships(user).items() if role in LINKERS]
    return list(
        Organization.objects.filter(pk__in=managed, kind=Organization.Kind.ORGANIZATION).order_by(
            "name"
        )
    )


def _open_invitation(secret: str, actor: User) -> Engagement:
    engagement = engagement_for_token(secret)
    if engagement.invited_email.lower() != actor.email.lower():
        raise PermissionDenied(
            f"This link is for {engagement.invited_email}; sign in with that address to answer it.",
            code="other_address",
        )
    lock_for_update(engagement, check=False)
    if engagement.status != S.INVITED:
        raise Conflict(
            f"This link has been answered already ({engagement.get_status_display().lower()}).",
            code=f"link_{engagement.status}",
        )
    if engagement.invitation_expired:
        raise Conflict("This link has expired; ask for a new one.", code="link_expired")
    return engagement


@transaction.atomic
def accept_engagement(secret: str, client_organization: Organization, *, actor: User) -> Engagement:
    """The invited manager accepts the link for `client_organization`, which they manage."""
    engagement = _open_invitation(secret, actor)
    if client_organization not in client_choices(actor):
        raise ValidationFailed.single(
            "organization", "Choose an organization you manage that runs a management system."
        )
    if client_organization.pk == engagement.organization_id:
        raise ValidationFailed.single("organization", "An organization cannot link to itself.")
    if Engagement.objects.filter(
        organization=engagement.organization,
        client_organization=client_organization,
        kind=engagement.kind,
        status=S.ACTIVE,
    ).exists():
        raise Conflict(
            f"{client_organization} is already linked to {engagement.organization}.",
            code="already_linked",
        )
    before = snapshot(engagement)
    engagement.client_organization = client_organization
    engagement.status = S.ACTIVE
    engagement.accepted_by = actor
    engagement.accepted_at = timezone.now()
    fields = ["client_organization", "status", "accepted_by", "accepted_at", "updated_at"]
    if engagement.kind == Engagement.Kind.CONSULTANCY and engagement.started_on is None:
        engagement.started_on = timezone.localdate()
        fields.append("started_on")
    engagement.save(update_fields=fields)
    changes = {"status": [before["status"], engagement.status]}
    record_both(
        engagement,
        engagement,
        actor=actor,
        action="accept",
        changes=changes,
        message=f"{client_organization} accepted the link with {engagement.organization}.",
    )
    return engagement


@transaction.atomic
def decline_engagement(secret: str, *, actor: User) -> Engagement:
    engagement = _open_invitation(secret, actor)
    engagement.status = S.DECLINED
    engagement.save(update_fields=["status", "updated_at"])
    record_both(engagement, engagement, actor=actor, action="decline", message="Link declined.")
    return engagement


@transaction.atomic
def withdraw_invitation(engagement: Engagement, *, actor: User) -> Engagement:
    """The provider withdraws an invitation nobody answered."""
    require_side(actor, engagement, PROVIDER, LINKERS)
    lock_for_update(engagement, check=False)
    if engagement.status != S.INVITED:
        raise Conflict("Only a pending invitation can be withdrawn.", code="not_pending")
    engagement.status = S.WITHDRAWN
    engagement.save(update_fields=["status", "updated_at"])
    record_both(
        engagement, engagement, actor=actor, action="withdraw", message="Invitation withdrawn."
    )
    return engagement


@transaction.atomic
def end_engagement(engagement: Engagement, reason: str, *, actor: User) -> Engagement:
    """Either side ends an active link, with a reason: every grant still open is revoked, and a
    consultancy's end date is set (the certification body's impartiality check counts from it)."""
    side = PROVIDER
    try:
        require_side(actor, engagement, PROVIDER, LINKERS)
    except (NotFound, PermissionDenied):
        # A provider's member who may not end it is refused as such, not told it is unknown.
        if client_role(actor, engagement) is None:
            raise
        require_side(actor, engagement, CLIENT, LINKERS)
        side = CLIENT
    errors: list[FieldError] = []
    reason = checks.text(reason, "reason", errors, limit=500, required=True)
    if errors:
        raise ValidationFailed(errors)
    lock_for_update(engagement)
    if engagement.status != S.ACTIVE:
        raise Conflict("Only an active link can be ended.", code="not_active")
    now = timezone.now()
    before = snapshot(engagement)
    engagement.status = S.ENDED
    engagement.ended_at = now
    engagement.ended_by = actor
    engagement.end_reason = reason
    fields = ["status", "ended_at", "ended_by", "end_reason", "updated_at"]
    if engagement.kind == Engagement.Kind.CONSULTANCY and engagement.ended_on is None:
        engagement.ended_on = timezone.localdate()
        fields.append("ended_on")
    engagement.save(update_fields=fields)
    who = engagement.organization if side == PROVIDER else engagement.client_organization
    record_both(
        engagement,
        engagement,
        actor=actor,
        action="end",
        changes={"status": [before["status"], engagement.status]},
        message=f"Ended by {who}: {reason}",
    )
    for grant in AccessGrant.objects.filter(engagement=engagement, revoked_at__isnull=True).filter(
        ends_at__gt=now
    ):
        grant.revoked_at = now
        grant.revoked_by = actor
        grant.revoke_reason = "The engagement ended."
        grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
        record_both(
            engagement, grant, actor=actor, action="revoke", message="The engagement ended."
        )
    return engagement


@transaction.atomic
def set_consultancy(
    engagement: Engagement,
    *,
    started_on: dt.date | None,
    ended_on: dt.date | None,
    consultants: list[Any],
    actor: User,
) -> Engagement:
    """Record a consultancy's dates and the consultants who worked on it (the certification
    body's impartiality check reads them)."""
    require_side(actor, engagement, PROVIDER, LINKERS)
    if engagement.kind != Engagement.Kind.CONSULTANCY:
        raise Conflict("Only a consultancy records consultancy dates.", code="not_consultancy")
    errors: list[FieldError] = []
    today = timezone.localdate()
    if started_on is not None and started_on > today:
        errors.append(FieldError("started_on", "The date is in the future."))
    if ended_on is not None and started_on is not None and ended_on < started_on:
        errors.append(FieldError("ended_on", "It ends before it starts."))
    if ended_on is not None and engagement.status == S.ACTIVE and ended_on > today:
        errors.append(FieldError("ended_on", "The date is in the future."))
    members = set(
        Membership.objects.filter(organization_id=engagement.organization_id).values_list(
            "user_id", flat=True
        )
    )
    strangers = [u for u in consultants if getattr(u, "pk", None) not in members]
    if strangers:
        errors.append(
            FieldError("consultants", f"Not a member of {engagement.organization}: {strangers[0]}.")
        )
    if errors:
        raise ValidationFailed(errors)
    lock_for_update(engagement)
    before = snapshot(engagement)
    engagement.started_on = started_on
    engagement.ended_on = ended_on
    engagement.save(update_fields=["started_on", "ended_on", "updated_at"])
    engagement.consultants.set(consultants)
    after = snapshot(engagement)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    changes["consultants"] = [None, sorted(u.pk for u in consultants)]
    record_both(
        engagement,
        engagement,
        actor=actor,
        action="update",
        changes=changes,
        message="Consultancy dates and consultants recorded.",
    )
    return engagement
