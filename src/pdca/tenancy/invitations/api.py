"""API of invitations: managers invite, list, resend and revoke under their organization; the
signed-in invitee accepts or declines with the secret from the link."""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import Id, Input, Page, responses
from pdca.core.permissions import require, scope
from pdca.core.roles import Role
from pdca.tenancy.invitations import services as invitations
from pdca.tenancy.models import Invitation, Organization

router = Router(tags=["invitations"])

State = Literal["pending", "expired", "accepted", "declined", "revoked"]


class InvitationOut(Schema):
    """An invitation as its organization's managers see it: nothing about the person invited
    beyond the address they typed (not whether it has an account, nor a name)."""

    id: int
    organization: str = Field(alias="organization.slug")
    email: str
    role: Role
    job_title: str
    status: State = Field(
        alias="state", description="pending, expired, accepted, declined or revoked"
    )
    invited_by: str | None = Field(None, description="E-mail of who invited")
    expires_at: dt.datetime
    sent_count: int
    created_at: dt.datetime
    responded_at: dt.datetime | None

    @staticmethod
    def resolve_invited_by(obj: Invitation) -> str | None:
        return obj.invited_by.email if obj.invited_by else None


class InvitationCreate(Input):
    email: str = Field(max_length=254, description="E-mail address to invite")
    role: Role
    job_title: str = Field("", max_length=150)


class InvitationFilter(Schema):
    status: State | None = Field(None, description="Only invitations in this state")


class TokenIn(Input):
    token: str = Field(min_length=1, max_length=100, description="The secret from the link")


class JoinedOut(Schema):
    membership_id: int = Field(alias="pk")
    organization: str = Field(alias="organization.slug")
    organization_name: str = Field(alias="organization.name")
    role: Role


class DeclinedOut(Schema):
    organization: str = Field(alias="organization.slug")
    status: State = Field(alias="state")


def _org(request, slug: str) -> Organization:
    return get_object_or_404(scope(Organization.objects.all(), request.auth), slug=slug)


def _invitations(request, org: Organization):
    return scope(Invitation.objects.filter(organization=org), request.auth).select_related(
        "organization", "invited_by"
    )


def _invitation(request, slug: str, invitation_id: int) -> Invitation:
    return get_object_or_404(_invitations(request, _org(request, slug)), pk=invitation_id)


@router.get("/organizations/{slug}/invitations/", response=responses(list[InvitationOut]))
@paginate(Page)
def list_invitations(request, slug: str, filters: Query[InvitationFilter]):
    """Invitations of the organization, newest first (managers only)."""
    org = _org(request, slug)
    require(request.auth, "view", Invitation, organization=org)
    rows = _invitations(request, org)
    now = timezone.now()
    if filters.status == "pending":
        rows = rows.filter(status=Invitation.Status.PENDING, expires_at__gt=now)
    elif filters.status == "expired":
        rows = rows.filter(status=Invitation.Status.PENDING, expires_at__lte=now)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    return rows


@router.post("/organizations/{slug}/invitations/", response=responses(InvitationOut, 201))
def create_invitation(request, slug: str, payload: InvitationCreate):
    """Invite an e-mail address with a role. The answer is the same whether or not the address
    has an account; the person becomes a member only when they accept."""
    org = _org(request, slug)
    invitation = invitations.invite_member(org, actor=request.auth, **payload.model_dump())
    return Status(201, invitation)


@router.get("/organizations/{slug}/invitations/{invitation_id}/", response=responses(InvitationOut))
def get_invitation(request, slug: str, invitation_id: Id):
    return _invitation(request, slug, invitation_id)


@router.post(
    "/organizations/{slug}/invitations/{invitation_id}/resend/",
    response=responses(InvitationOut),
)
def resend_invitation(request, slug: str, invitation_id: Id):
    """Mail a new link valid for another 14 days; the old link stops working."""
    invitation = _invitation(request, slug, invitation_id)
    return invitations.resend_invitation(invitation, actor=request.auth)


@router.post(
    "/organizations/{slug}/invitations/{invitation_id}/revoke/",
    response=responses(InvitationOut),
)
def revoke_invitation(request, slug: str, invitation_id: Id):
    """Withdraw a pending invitation; it stays listed as revoked."""
    invitation = _invitation(request, slug, invitation_id)
    return invitations.revoke_invitation(invitation, actor=request.auth)


@router.post("/invitations/accept/", response=responses(JoinedOut))
def accept_invitation(request, payload: TokenIn):
    """Accept an invitation made to your e-mail address: you become a member with its role."""
    return invitations.accept_invitation(payload.token, actor=request.auth)


@router.post("/invitations/decline/", response=responses(DeclinedOut))
def decline_invitation(request, payload: TokenIn):
    """Decline an invitation made to your e-mail address."""
    return invitations.decline_invitation(payload.token, actor=request.auth)
