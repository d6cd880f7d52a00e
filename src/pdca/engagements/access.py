"""Who reaches what across an engagement: the one place that decides it.

A member of the provider (certification body or consultancy) reads the engagement and what
it owns on the provider's side; a member of the client reads the same engagement from the
client's side. The provider reaches the client's own data only through an access grant that is
open at that moment (not revoked, started, not ended) on an active engagement, and only the
items the grant names, or answers to its evidence requests. Every such read is logged in the
client's activity log by `pdca.engagements.services.grants.log_access`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from pdca.certification.permissions import MEMBERS as CB_MEMBERS
from pdca.core.exceptions import NotFound, PermissionDenied
from pdca.core.permissions import memberships
from pdca.engagements.models import AccessGrant, Engagement, EvidenceRequest
from pdca.engagements.permissions import AUDITORS, CLIENT_READERS, GRANTORS, LINKERS, READERS

if TYPE_CHECKING:
    import datetime as dt

PROVIDER = "provider"
CLIENT = "client"


def client_org_id(engagement: Engagement) -> int:
    """The client organization's id of an accepted engagement (NotFound before acceptance:
    nothing of a client exists until it accepted)."""
    if engagement.client_organization_id is None:
        raise NotFound("The link is not accepted yet.")
    return engagement.client_organization_id


def provider_role(user: Any, engagement: Engagement) -> str | None:
    return memberships(user).get(engagement.organization_id)


def client_role(user: Any, engagement: Engagement) -> str | None:
    if engagement.client_organization_id is None:
        return None
    return memberships(user).get(engagement.client_organization_id)


def side_of(user: Any, engagement: Engagement) -> str | None:
    """Which side of the engagement `user` reads it from (None: neither)."""
    if provider_role(user, engagement) in READERS:
        return PROVIDER
    if engagement.status != Engagement.Status.INVITED and client_role(user, engagement) in (
        CLIENT_READERS
    ):
        return CLIENT
    return None


def engagements_for(user: Any) -> QuerySet[Engagement]:
    """The engagements `user` reads, from either side. A client sees a link once it accepted
    it (an invitation is answered through its link)."""
    roles = memberships(user)
    providers = [org for org, role in roles.items() if role in READERS]
    clients = [org for org, role in roles.items() if role in CLIENT_READERS]
    if not providers and not clients:
        return Engagement.objects.none()
    return Engagement.objects.filter(
        Q(organization_id__in=providers)
        | (Q(client_organization_id__in=clients) & ~Q(status=Engagement.Status.INVITED))
    ).select_related("organization", "client_organization", "client")


def get_engagement(user: Any, pk: int) -> Engagement:
    """The engagement `pk` when `user` reads it from either side; NotFound otherwise (another
    organization's links do not exist for them)."""
    engagement = engagements_for(user).filter(pk=pk).first()
    if engagement is None:
        raise NotFound("No such engagement.")
    return engagement


def require_side(user: Any, engagement: Engagement, side: str, roles: frozenset[str]) -> str:
    """Refuse unless `user` holds one of `roles` on `side` of the engagement; returns the role."""
    role = provider_role(user, engagement) if side == PROVIDER else client_role(user, engagement)
    if role is None:
        raise NotFound("No such engagement.")
    if role not in roles:
        raise PermissionDenied(f"Your role may not do this on the {side}'s side of the engagement.")
    return role


def may_link(user: Any, engagement: Engagement) -> bool:
    return provider_role(user, engagement) in LINKERS


def may_link_client(user: Any, engagement: Engagement) -> bool:
    return engagement.status != Engagement.Status.INVITED and client_role(user, engagement) in (
        LINKERS
    )


def may_link_in(user: Any, organization: Any) -> bool:
    return memberships(user).get(getattr(organization, "pk", organization)) in LINKERS


def may_grant(user: Any, engagement: Engagement) -> bool:
    return client_role(user, engagement) in GRANTORS


def may_audit(user: Any, engagement: Engagement) -> bool:
    """Whether `user` releases audits and asks evidence for the provider."""
    return (
        engagement.kind == Engagement.Kind.CERTIFICATION
        and provider_role(user, engagement) in AUDITORS
    )


def open_grants(engagement: Engagement, now: dt.datetime | None = None) -> QuerySet[AccessGrant]:
    """The grants of `engagement` open at `now`: none while the engagement is not active."""
    if engagement.status != Engagement.Status.ACTIVE:
        return AccessGrant.objects.none()
    now = now or timezone.now()
    return AccessGrant.objects.filter(
        engagement=engagement, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    )


def require_provider_reader(user: Any, engagement: Engagement) -> None:
    """Only the provider's members read the client's data under a grant: a certification
    body's auditors, experts, manager and decision makers (not its administrator, who keeps
    users and settings), a consultancy's members but employees."""
    readers = CB_MEMBERS if engagement.kind == Engagement.Kind.CERTIFICATION else CLIENT_READERS
    if provider_role(user, engagement) not in readers:
        raise NotFound("No such engagement.")


def _answered_requests(engagement: Engagement) -> QuerySet[EvidenceRequest]:
    return EvidenceRequest.objects.filter(
        engagement=engagement,
        status__in=[EvidenceRequest.Status.ANSWERED, EvidenceRequest.Status.ACCEPTED],
    )


def grant_for_document(user: Any, engagement: Engagement, document_id: int) -> AccessGrant | None:
    """The open grant under which the provider reads a document (named, or one of its
    versions named); None when it may not. An evidence request answered with the document
    counts while the engagement has an open grant or the request is open to the auditor."""
    require_provider_reader(user, engagement)
    grants = open_grants(engagement)
    return (
        grants.filter(Q(documents__pk=document_id) | Q(versions__document_id=document_id))
        .order_by("ends_at")
        .first()
    )


def requests_with_document(engagement: Engagement, document_id: int) -> QuerySet[EvidenceRequest]:
    if engagement.status != Engagement.Status.ACTIVE:
        return EvidenceRequest.objects.none()
    return _answered_requests(engagement).filter(documents__pk=document_id)


def requests_with_evidence(engagement: Engagement, evidence_id: int) -> QuerySet[EvidenceRequest]:
    if engagement.status != Engagement.Status.ACTIVE:
        return EvidenceRequest.objects.none()
    return _answered_requests(engagement).filter(evidence__pk=evidence_id)


def grant_for_register(user: Any, engagement: Engagement, slug: str) -> AccessGrant | None:
    """The open grant naming register `slug`. JSON containment differs between databases, so
    the (few) open grants are read and their lists checked here."""
    require_provider_reader(user, engagement)
    for grant in open_grants(engagement).order_by("ends_at"):
        if slug in (grant.registers or []):
            return grant
    return None


def grant_for_system(user: Any, system: Any) -> AccessGrant | None:
    """An open grant of an active engagement whose provider `user` belongs to, naming the
    management system `system` (a certification body rehearses stage 1 on it)."""
    roles = memberships(user)
    providers = [org for org, role in roles.items() if role in READERS]
    if not providers:
        return None
    now = timezone.now()
    return (
        AccessGrant.objects.filter(
            system=system,
            engagement__organization_id__in=providers,
            engagement__status=Engagement.Status.ACTIVE,
            engagement__client_organization_id=system.organization_id,
            revoked_at__isnull=True,
            starts_at__lte=now,
            ends_at__gt=now,
        )
        .select_related("engagement", "engagement__organization")
        .order_by("ends_at")
        .first()
    )
