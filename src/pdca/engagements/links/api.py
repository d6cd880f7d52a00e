"""API of engagements between organizations: the links themselves (invite, answer, end, a
consultancy's dates), then grants and shared reads, evidence requests, and released audits with
the findings they open (each in its own module, all on this one `router`).

Thin endpoints over `pdca.engagements.services`; lookups from the reader's side are in
`lookups.py` (another organization's link is 404; the other side's action is 403).
"""

from ninja import Query, Router, Status
from ninja.pagination import paginate

from pdca.accounts.models import User
from pdca.certification.models import Client
from pdca.core.api import Id, Page, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require
from pdca.engagements import access
from pdca.engagements.links import audits_api, grants_api, lookups, requests_api
from pdca.engagements.links.schemas import (
    AcceptIn,
    ConsultancyIn,
    EndIn,
    EngagementFilter,
    EngagementInvitationOut,
    EngagementOut,
    InvitedOut,
    InviteIn,
    SecretIn,
)
from pdca.engagements.models import Engagement
from pdca.engagements.permissions import LINKERS
from pdca.engagements.services import links
from pdca.tenancy.models import Organization

router = Router(tags=["engagements"])
ORGANIZATION_CHOICE = "Choose an organization you manage that runs a management system."


def _fresh(request, engagement: Engagement) -> Engagement:
    """The engagement as it now stands, with its ETag."""
    return announce(lookups.engagement(request.auth, engagement.pk))


@router.get("/engagements/", response=responses(list[EngagementOut]))
@paginate(Page)
def list_engagements(request, filters: Query[EngagementFilter]):
    """The links of your organizations, from either side, newest first: a provider sees its
    invitations too; a client sees a link once it accepted it."""
    return lookups.filter_engagements(
        lookups.engagements(request.auth),
        request.auth,
        side=filters.side,
        status=filters.status,
        kind=filters.kind,
    )


@router.post("/engagements/", response=responses(InvitedOut, 201))
def invite_client(request, payload: InviteIn):
    """Invite a client organization (a certification body for one of its client records, or
    a consultancy): the link is mailed to the e-mail address and answered here once, and only
    its digest is stored. 409 `already_linked` when the client record has an open link."""
    organization = organization_for(request.auth, payload.organization, may_view=Engagement)
    require(request.auth, "add", Engagement, organization=organization)
    client = None
    # An organization that is no provider is refused by the service, whatever it names.
    if payload.client is not None and organization.kind != Organization.Kind.ORGANIZATION:
        client = Client.objects.filter(pk=payload.client, organization=organization).first()
        if client is None:
            raise ValidationFailed.single("client", "No such client record.")
    invited = links.invite_client(
        organization,
        email=payload.email,
        title=payload.title,
        client=client,
        notes=payload.notes,
        actor=request.auth,
    )
    engagement = _fresh(request, invited.engagement)
    return Status(201, {"engagement": engagement, "url": invited.url})


@router.get("/engagements/{engagement_id}/", response=responses(EngagementOut))
def get_engagement(request, engagement_id: Id):
    """One link, as your side reads it (with its ETag)."""
    return announce(lookups.engagement(request.auth, engagement_id))


@router.post("/engagements/{engagement_id}/end/", response=responses(EngagementOut))
def end_engagement(request, engagement_id: Id, payload: EndIn):
    """End an active link, from either side (its managers), with the reason: every grant still
    open is revoked with it. If-Match: the engagement's ETag."""
    engagement = lookups.engagement(request.auth, engagement_id)
    links.end_engagement(engagement, payload.reason, actor=request.auth)
    return _fresh(request, engagement)


@router.post("/engagements/{engagement_id}/withdraw/", response=responses(EngagementOut))
def withdraw_invitation(request, engagement_id: Id):
    """Withdraw an invitation nobody answered (the provider's managers). 409 `not_pending`."""
    engagement = lookups.engagement(request.auth, engagement_id)
    links.withdraw_invitation(engagement, actor=request.auth)
    return _fresh(request, engagement)


@router.put("/engagements/{engagement_id}/consultancy/", response=responses(EngagementOut))
def put_consultancy(request, engagement_id: Id, payload: ConsultancyIn):
    """A consultancy's first and last day and the consultants who worked on it (members of
    the consultancy): a certification body's impartiality check reads them. If-Match: the
    engagement's ETag."""
    engagement = lookups.engagement(request.auth, engagement_id)
    lookups.require_side(request.auth, engagement, access.PROVIDER)
    access.require_side(request.auth, engagement, access.PROVIDER, LINKERS)
    ids = list(dict.fromkeys(payload.consultants))
    consultants = list(
        User.objects.filter(
            pk__in=ids, memberships__organization_id=engagement.organization_id
        ).distinct()
    )
    missing = [i for i in ids if i not in {u.pk for u in consultants}]
    if missing:
        raise ValidationFailed.single(
            "consultants",
            f"Not a member of {engagement.organization}: {', '.join(map(str, missing))}.",
        )
    links.set_consultancy(
        engagement,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        consultants=consultants,
        actor=request.auth,
    )
    return _fresh(request, engagement)


# --- answering an invitation ----------------------------------------------------------------


@router.post("/engagement-invitations/lookup/", response=responses(EngagementInvitationOut))
def look_up_invitation(request, payload: SecretIn):
    """Who invites you, for what, and the organizations you may accept it for (their ids go
    in `accept`). The secret travels in the body, never in the address."""
    engagement = links.engagement_for_token(payload.secret)
    return {
        "provider": engagement.organization,
        "kind": engagement.kind,
        "title": engagement.title,
        "invited_email": engagement.invited_email,
        "status": engagement.state,
        "expires_at": engagement.expires_at,
        "organizations": links.client_choices(request.auth),
    }


@router.post("/engagement-invitations/accept/", response=responses(EngagementOut))
def accept_invitation(request, payload: AcceptIn):
    """Accept the link for an organization you manage (only the invited address may). 409
    when it was answered already or has expired."""
    organization = Organization.objects.filter(pk=payload.organization).first()
    if organization is None:
        raise ValidationFailed.single("organization", ORGANIZATION_CHOICE)
    engagement = links.accept_engagement(payload.secret, organization, actor=request.auth)
    return _fresh(request, engagement)


@router.post("/engagement-invitations/decline/", response=responses(EngagementOut))
def decline_invitation(request, payload: SecretIn):
    """Decline the link (only the invited address may)."""
    engagement = links.decline_engagement(payload.secret, actor=request.auth)
    engagement.refresh_from_db()
    return engagement


router.add_router("/", grants_api.router)
router.add_router("/", requests_api.router)
router.add_router("/", audits_api.router)
